import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Labels } from '../../../src/docker/labels.js';
import { containersWithLabels } from '../../support/engine-state.js';
import { tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { TestImages } from '../../support/test-images.js';

describe('issue 10 item 12: two results can never be saved as one file', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-12-');
    await writeTree(dir.path, { 'repo/LICENSE': 'MIT' });
  });
  afterEach(async () => dir.remove());

  it('validate and scan refuse plugins a_b (result c) and a (result b_c); nothing runs, nothing is saved', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'a_b', image: TestImages.shell, cmd: 'echo one > /result/c', results: ['c'] },
      { name: 'a', image: TestImages.shell, cmd: 'echo two > /result/b_c', results: ['b_c'] },
      // Also on a case-insensitive results directory (macOS, an artifact unpacked on Windows).
      { name: 'upper', image: TestImages.shell, cmd: 'true', results: ['Report.txt', 'report.TXT'] },
    ]);
    const validate = await runPmt(['validate', '-r', registry], { cwd: dir.path });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain(
      'plugins[1].results[0]: "b_c" would be saved as "a_b_c", the same file as "c" of plugins[0] (a_b) (names are compared ignoring case); rename one of them',
    );
    expect(validate.stderr).toContain('plugins[2].results[1]: "report.TXT" would be saved as "upper_report.TXT", the same file as another result of this plugin');

    // Selecting only one of the two does not make the registry valid: the rule holds for any selection.
    const config = await writeConfig(dir.path, { PathDirLogs: 'logs', PathDirResults: 'results' });
    const scan = await runPmt(['scan', '-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'a_b', '--json'], { cwd: dir.path });
    expect(scan.code).toBe(2);
    expect(scan.stdout).toBe('');
    expect(await readdir(join(dir.path, 'results')).catch(() => [])).toEqual([]);
    for (const name of ['a_b', 'a']) expect(await containersWithLabels(`${Labels.plugin}=${name}`)).toEqual([]);
  });
});
