import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateRegistry } from '../../../src/config/schema-validators.generated.js';

const GENERATOR = fileURLToPath(new URL('../../../scripts/generate-validators.mjs', import.meta.url));

describe('the precompiled schema validators', () => {
  // pmt validates with code generated from the schemas: a schema changed without regenerating would go unenforced.
  it('are up to date with the schemas', () => {
    const check = spawnSync(process.execPath, [GENERATOR, '--check'], { encoding: 'utf8' });
    expect(check.status, check.stderr.trim() || check.error?.message).toBe(0);
  });

  // maxLength counts characters with ajv's ucs2length helper, which the generated code imports.
  it('use the runtime helpers of ajv they import', () => {
    const plugin = { name: 'n'.repeat(65), version: '1', docker_image: 'i', shell: 'sh', cmd: 'c', results: ['r'] };
    const registry = { version: 'R1.0', plugins: [plugin] };
    expect(validateRegistry(registry)).toBe(false);
    expect(validateRegistry.errors?.map(({ keyword, message }) => ({ keyword, message }))).toEqual([
      { keyword: 'maxLength', message: 'must NOT have more than 64 characters' },
    ]);
  });
});
