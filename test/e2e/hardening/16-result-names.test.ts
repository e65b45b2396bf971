import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Labels } from '../../../src/docker/labels.js';
import { containersWithLabels } from '../../support/engine-state.js';
import { savedResults, tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

/** Names the rule accepts although they look odd; each must travel by REST and archive copy alike. */
const ODD_BUT_FINE = ['ünï cödé (1).txt', 'a=b@c+d#e.txt', '-dash.txt', '结果.json'];

describe('issue 10 item 16: one rule for result names, enforced by validate, honoured by every transport', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-16-');
    await writeTree(dir.path, { 'repo/LICENSE': 'MIT' });
  });
  afterEach(async () => dir.remove());

  it('pmt validate and pmt scan refuse names curl -F, a terminal or the host cannot carry; no container starts', async () => {
    const plugin = 'names-16';
    const registry = await writeRegistry(dir.path, [
      { name: plugin, image: TestImages.curl, cmd: 'true', results: ['a,b.txt', 'del\x7f.txt', 'invoice\u202Etxt.exe', 'zw\u200B.txt', 'c1\u0085.txt'] },
    ]);
    const validate = await runPmt(['validate', '-r', registry], { cwd: dir.path });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('plugins[0].results[0]: "a,b.txt" must not contain "," (curl -F gives it a meaning)');
    expect(validate.stderr).toContain('plugins[0].results[1]: "del\\u007f.txt" must not contain control or invisible formatting characters (found U+007F)');
    expect(validate.stderr).toContain('plugins[0].results[2]: "invoice\\u202etxt.exe" must not contain control or invisible formatting characters (found U+202E)');
    expect(validate.stderr).toContain('(found U+200B)');
    expect(validate.stderr).toContain('(found U+0085)');
    // Nothing invisible reaches the terminal: the names are shown escaped.
    expect(validate.stderr).not.toMatch(/[\u007f\u0085\u200b\u202e]/u);

    const scan = await runPmt(['scan', '-i', join(dir.path, 'repo'), '-r', registry, '-p', plugin, '--json'], { cwd: dir.path });
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain('"a,b.txt" must not contain ","');
    expect(await containersWithLabels(`${Labels.plugin}=${plugin}`)).toEqual([]);
  });

  it.each([
    ['REST', true],
    ['archive copy', false],
  ])('names the rule accepts arrive intact over %s and are saved as <plugin>_<name>', async (_transport, rest) => {
    const cmd = `for n in "$@"; do printf '%s\\n' "$n" > "/result/$n"; done`;
    // The names reach the command as arguments ($@ of sh -c), never formatted into the script.
    const registry = await writeRegistry(dir.path, [
      { name: 'odd-names', image: TestImages.curl, cmd: `set -- ${ODD_BUT_FINE.map((n) => `'${n}'`).join(' ')}; ${cmd}`, results: ODD_BUT_FINE },
    ]);
    const config = await writeConfig(dir.path, { RestApi: rest, PathDirLogs: 'logs', PathDirResults: 'results' });
    const { code, report } = await scanJson(['-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'odd-names', '--no-cache'], { cwd: dir.path });

    expect(code).toBe(0);
    expect(report.plugins[0]).toMatchObject({ status: 'succeeded', transport: rest ? 'rest' : 'archive' });
    expect(report.plugins[0]!.results.map((r) => r.name)).toEqual(ODD_BUT_FINE);
    expect(await savedResults(join(dir.path, 'results'))).toEqual(ODD_BUT_FINE.map((n) => `odd-names_${n}`).sort());
    for (const name of ODD_BUT_FINE) expect(await readFile(join(dir.path, 'results', `odd-names_${name}`), 'utf8')).toBe(`${name}\n`);
  });
});
