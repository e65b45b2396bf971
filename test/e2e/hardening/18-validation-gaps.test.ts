import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ARGUMENT_BYTES } from '../../../src/config/limits.js';
import { tempDir, writeConfig, writeTree } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

/** One plugin entry as YAML lines, with `extra` lines appended to it. */
function entry(name: string, cmd: string, extra = ''): string {
  return `  - name: ${name}\n    version: "1"\n    docker_image: ${TestImages.shell}\n    shell: /bin/sh\n    cmd: ${JSON.stringify(cmd)}\n    results: [result.txt]\n${extra}`;
}

describe('issue 10 item 18: validate catches what used to fail only at scan time, or silently', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-18-');
    await writeTree(dir.path, { 'repo/LICENSE': 'MIT' });
  });
  afterEach(async () => dir.remove());

  const validate = async (registryText: string | Buffer, config?: Record<string, unknown>) => {
    const registry = join(dir.path, 'plugins.yaml');
    await writeFile(registry, registryText);
    const args = ['validate', '-r', registry];
    if (config) args.push('-c', await writeConfig(dir.path, config));
    return { registry, run: await runPmt(args, { cwd: dir.path }) };
  };

  it('refuses CPU limits Docker cannot enforce or no scanner needs (registry and DefaultCpus), located', async () => {
    const text = `version: R1.0\nplugins:\n${entry('huge', 'true', '    resources: { cpus: 1000 }\n')}${entry('tiny', 'true', '    resources: { cpus: 0.0001 }\n')}`;
    const { registry, run } = await validate(text, { DefaultCpus: 1000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${registry}:9:24: plugins[0].resources.cpus: 1000 CPUs is more than 256: give from 0.01 to 256 (CPUs, not millicores: 0.5 is half a CPU)`);
    expect(run.stderr).toContain(`${registry}:16:24: plugins[1].resources.cpus: 0.0001 CPUs is not a limit Docker can enforce: give from 0.01 to 256`);
    expect(run.stderr).toContain('DefaultCpus: 1000 CPUs is more than 256: give 0 (no limit) or from 0.01 to 256');

    const fine = await validate(`version: R1.0\nplugins:\n${entry('ok', 'true', '    resources: { cpus: 0.5 }\n')}`, { DefaultCpus: 0 });
    expect(fine.run.code).toBe(0);
  });

  it('reports YAML tags and invalid UTF-8 at their position instead of reading them silently', async () => {
    const tagged = `version: R1.0\nplugins:\n${entry('tagged', 'true', '    env: { A: !!js/function "function(){}", B: !custom x }\n')}`;
    const { registry, run } = await validate(tagged);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${registry}:9:15: invalid YAML: unsupported tag "!!js/function"`);
    expect(run.stderr).toContain(`${registry}:9:48: invalid YAML: unsupported tag "!custom"`);

    // "café" written in Latin-1 by an editor: once silently read as "caf\uFFFD".
    const bytes = Buffer.concat([Buffer.from(`version: R1.0\nplugins:\n${entry('latin1', 'true')}    env: { A: "caf`), Buffer.from([0xe9]), Buffer.from('" }\n')]);
    const broken = await validate(bytes);
    expect(broken.run.code).toBe(2);
    expect(broken.run.stderr).toContain(`${broken.registry}:9:19: invalid UTF-8: byte 0xe9 at byte offset`);
  });

  it('bounds cmd by what Linux passes as one argument: the longest allowed cmd runs on the real engine, one byte more fails validate', async () => {
    const script = 'echo ok > /result/result.txt; : ';
    const longest = script + 'x'.repeat(MAX_ARGUMENT_BYTES - script.length);
    const text = `version: R1.0\nplugins:\n${entry('longest', longest)}`;
    const fits = await validate(text);
    expect(fits.run.code).toBe(0);
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    const { code, report } = await scanJson(['-i', join(dir.path, 'repo'), '-r', fits.registry, '-c', config, '-p', 'longest'], { cwd: dir.path });
    expect(report.plugins[0]?.error).toBeNull();
    expect(code).toBe(0);
    expect(await readFile(join(dir.path, 'results', 'longest_result.txt'), 'utf8')).toBe('ok\n');

    const tooLong = await validate(`version: R1.0\nplugins:\n${entry('toolong', `${longest}x`)}`);
    expect(tooLong.run.code).toBe(2);
    expect(tooLong.run.stderr).toContain(
      `${tooLong.registry}:7:10: plugins[0].cmd: is ${MAX_ARGUMENT_BYTES + 1} bytes; Linux passes at most ${MAX_ARGUMENT_BYTES} bytes as one argument`,
    );

    // A 3 MiB cmd makes the file itself larger than any registry pmt reads.
    const huge = await validate(`version: R1.0\nplugins:\n${entry('huge', 'x'.repeat(3 * 2 ** 20))}`);
    expect(huge.run.code).toBe(2);
    expect(huge.run.stderr).toContain('the registry file is larger than 1 MiB, the most pmt reads');
  });
});
