import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SOURCE_FILE_BYTES } from '../../../src/config/read-source-file.js';
import { MAX_PROBLEMS_SHOWN } from '../../../src/errors.js';
import { tempDir } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { TestImages } from '../../support/test-images.js';

/** Seven lines that expand to 9^7 strings: the classic "billion laughs". */
const ALIAS_BOMB = `version: R1.0
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
plugins: []
`;

const ENTRY = `version: R1.0
plugins:
  - name: many
    version: "1"
    docker_image: ${TestImages.shell}
    shell: /bin/sh
    cmd: "true"
    results: [result.txt]
`;

describe('issue 10 item 14: hostile registries and configs are located config errors, validated in linear time, with bounded output', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-14-');
  });
  afterEach(async () => dir.remove());

  it('an alias bomb is a config error at its first alias (exit 2), not an internal error (exit 70)', async () => {
    const registry = join(dir.path, 'bomb.yaml');
    await writeFile(registry, ALIAS_BOMB);
    const run = await runPmt(['validate', '-r', registry], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`pmt: config error: ${registry}:3:8: invalid YAML: aliases (*name) repeat data more than 100 times`);
    expect(run.stderr).not.toContain('internal error');
    // pmt scan loads the registry the same way.
    const scan = await runPmt(['scan', '-r', registry, '-i', dir.path], { cwd: dir.path });
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain('alias bombs');
  });

  it('keeps aliases a registry really uses (one env block for several plugins)', async () => {
    const registry = join(dir.path, 'plugins.yaml');
    const plugin = (name: string) =>
      `  - name: ${name}\n    version: "1"\n    docker_image: ${TestImages.shell}\n    shell: /bin/sh\n    cmd: "true"\n    results: [r.txt]\n    env: *common\n`;
    await writeFile(registry, `version: R1.0\nx-common: &common { LANG: C.UTF-8 }\nplugins:\n${plugin('a')}${plugin('b')}`);
    const run = await runPmt(['validate', '-r', registry], { cwd: dir.path });
    // The only problem is the helper key itself, which the registry format does not know.
    expect(run.stderr).toContain('unknown key "x-common"');
    expect(run.stderr).not.toContain('alias');
  });

  it('40 000 unknown keys: every one found (validation is linear), the first 50 printed, the rest counted', async () => {
    const registry = join(dir.path, 'many.yaml');
    const keys = Array.from({ length: 40_000 }, (_, i) => `    k${i}: 1\n`).join('');
    await writeFile(registry, ENTRY + keys);
    const run = await runPmt(['validate', '-r', registry], { cwd: dir.path });
    expect(run.code).toBe(2);
    const problems = run.stderr.split('\n').filter((line) => line.startsWith('pmt: config error:'));
    expect(problems).toHaveLength(MAX_PROBLEMS_SHOWN + 1);
    expect(problems[0]).toBe(`pmt: config error: ${registry}:9:5: plugins[0]: unknown key "k0"`);
    expect(problems.at(-1)).toBe(`pmt: config error: … and ${40_000 - MAX_PROBLEMS_SHOWN} more problems not shown; fix these first`);

    // doctor lists the same problems as findings, with the same bound.
    const doctor = await runPmt(['doctor', '-r', registry, '--json'], { cwd: dir.path });
    const findings = (JSON.parse(doctor.stdout) as { findings: { check: string; message: string }[] }).findings.filter((f) => f.check === 'registry');
    expect(findings).toHaveLength(MAX_PROBLEMS_SHOWN + 1);
    expect(findings.at(-1)?.message).toContain('more problems not shown');
  });

  it('refuses registry and config files over 1 MiB before parsing them, with the bound in the message', async () => {
    const registry = join(dir.path, 'huge.yaml');
    await writeFile(registry, `${ENTRY}#${'x'.repeat(MAX_SOURCE_FILE_BYTES)}\n`);
    const config = join(dir.path, 'huge.json');
    await writeFile(config, `{"PathDirLogs": "${'x'.repeat(MAX_SOURCE_FILE_BYTES)}"}`);
    const run = await runPmt(['validate', '-r', registry, '-c', config], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`pmt: config error: ${registry}: the registry file is larger than 1 MiB, the most pmt reads; is it the right file?`);
    expect(run.stderr).toContain(`pmt: config error: ${config}: the config file is larger than 1 MiB, the most pmt reads; is it the right file?`);
  });
});
