import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { loadRegistryFile } from '../../../src/registry/load-registry-file.js';
import { REPO_ROOT, tempDir } from '../../support/fixtures.js';

const BUNDLED = join(REPO_ROOT, 'plugins.yaml');
const entry = (name: string, image = `team/${name.toLowerCase()}:1`): string =>
  `  - {name: ${name}, version: "1", docker_image: "${image}", build: ${name.toLowerCase()}, shell: /bin/sh, cmd: "true", results: [r.txt]}\n`;

describe('a registry that extends another (extends: bundled | FILE)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  const write = async (name: string, text: string): Promise<string> => {
    const file = join(dir.path, name);
    await writeFile(file, text);
    return file;
  };
  const failure = async (file: string): Promise<ConfigError> => {
    const error = await loadRegistryFile(file, { bundledRegistry: BUNDLED }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('keeps the bundled plugins first, replaces a same-named one in place, appends its own, and knows where each came from', async () => {
    const file = await write('team.yaml', `version: R1.0\nextends: bundled\nplugins:\n${entry('team-scanner')}${entry('LICENSEE', 'team/licensee:2')}`);
    const bundled = await loadRegistryFile(BUNDLED);
    const registry = await loadRegistryFile(file, { bundledRegistry: BUNDLED });
    const names = bundled.available().map((p) => p.name);
    expect(registry.available().map((p) => p.name)).toEqual([...names.map((n) => (n === 'licensee' ? 'LICENSEE' : n)), 'team-scanner']);
    expect(registry.find('licensee')?.image).toBe('team/licensee:2');
    expect(registry.origin(registry.find('licensee')!)).toBe(file);
    expect(registry.origin(registry.find('reuse')!)).toBe(BUNDLED);
    // Relative build directories stay relative to the file that names them.
    expect(registry.find('team-scanner')?.build).toBe(join(dir.path, 'team-scanner'));
    expect(registry.find('reuse')?.build).toBe(join(REPO_ROOT, 'plugins', 'reuse'));
    // No default of its own: the bundled one's.
    expect(registry.default()?.name).toBe('LICENSEE');
    expect(registry.source).toBe(file);
    expect(registry.extended).toEqual([BUNDLED]);
  });

  it('a default of its own may name an extended plugin; one that no registry of the chain has is a problem at default_plugin', async () => {
    const ok = await write('ok.yaml', `version: R1.0\nextends: bundled\ndefault_plugin: reuse\nplugins:\n${entry('mine')}`);
    expect((await loadRegistryFile(ok, { bundledRegistry: BUNDLED })).default()?.name).toBe('reuse');
    const bad = await write('bad.yaml', `version: R1.0\nextends: bundled\ndefault_plugin: nothing\nplugins:\n${entry('mine')}`);
    const error = await failure(bad);
    expect(error.problems).toMatchObject([{ file: bad, line: 3, message: expect.stringMatching(/^default_plugin: no plugin named "nothing" \(available: licensee, .*, mine\)$/) }]);
  });

  it('extends a file relative to itself, through a chain; a cycle or a missing file is a problem at extends', async () => {
    const base = await write('base.yaml', `version: R1.0\nextends: bundled\nplugins:\n${entry('base-one')}`);
    const mid = await write('mid.yaml', `version: R1.0\nextends: ./base.yaml\nplugins:\n${entry('mid-one')}`);
    const registry = await loadRegistryFile(mid, { bundledRegistry: BUNDLED });
    expect(registry.available().map((p) => p.name).slice(-2)).toEqual(['base-one', 'mid-one']);
    expect(registry.extended).toEqual([base, BUNDLED]);

    const a = await write('a.yaml', `version: R1.0\nextends: b.yaml\nplugins:\n${entry('a')}`);
    await write('b.yaml', `version: R1.0\nextends: a.yaml\nplugins:\n${entry('b')}`);
    expect((await failure(a)).problems[0]?.message).toMatch(/^extends .*a\.yaml, which extends this file again \(a cycle: .*a\.yaml → .*b\.yaml → .*a\.yaml\)$/);

    const missing = await write('missing.yaml', `version: R1.0\nextends: gone.yaml\nplugins:\n${entry('m')}`);
    expect((await failure(missing)).problems).toMatchObject([{ file: missing, line: 2, col: 10, message: `cannot extend ${join(dir.path, 'gone.yaml')}: cannot read the registry file: no such file` }]);
  });

  it('a problem of the extended file is reported in that file', async () => {
    await write('broken.yaml', 'version: R1.0\nplugins:\n  - {name: x}\n');
    const file = await write('top.yaml', `version: R1.0\nextends: broken.yaml\nplugins:\n${entry('t')}`);
    expect((await failure(file)).problems.every((p) => p.file === join(dir.path, 'broken.yaml'))).toBe(true);
  });
});
