import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig, writeTree } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

/** A plugin entry that sleeps a moment (so a timer firing at once would cut it), with an optional timeout. */
function entry(name: string, timeout?: string): string {
  const cmd = 'sleep 1; echo ok > /result/result.txt';
  return (
    `  - name: ${name}\n    version: "1"\n    docker_image: ${TestImages.shell}\n    shell: /bin/sh\n` +
    `    cmd: ${JSON.stringify(cmd)}\n    results: [result.txt]\n${timeout === undefined ? '' : `    timeout: ${timeout}\n`}`
  );
}

describe('issue 10 item 6: durations beyond what one Node timer can wait work; sub-millisecond and absurd ones are refused', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-06-');
    repo = join(dir.path, 'repo');
    await writeTree(repo, { LICENSE: 'MIT' });
  });
  afterEach(async () => dir.remove());

  const registryWith = async (text: string): Promise<string> => {
    const path = join(dir.path, 'plugins.yaml');
    await writeFile(path, `version: R1.0\nplugins:\n${text}`);
    return path;
  };

  it('timeout: 600h in the registry, DefaultTimeout 720h and --timeout 1000h let plugins finish (they timed out at once)', async () => {
    const registry = await registryWith(entry('entry-600h', '600h') + entry('default-720h'));
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results', DefaultTimeout: '720h' });
    const own = await scanJson(['-i', repo, '-r', registry, '-c', config, '-p', 'all'], { cwd: dir.path });
    expect(own.report.plugins.map((p) => [p.name, p.status, p.error?.message ?? null])).toEqual([
      ['entry-600h', 'succeeded', null],
      ['default-720h', 'succeeded', null],
    ]);
    expect(own.code).toBe(0);

    // Beyond 2^32-1 ms (~49.7 days) AbortSignal.timeout threw: "a bug in pmt".
    for (const timeout of ['1000h', '876000h']) {
      const flag = await scanJson(['-i', repo, '-r', registry, '-c', config, '-p', 'entry-600h', '--timeout', timeout, '--no-cache'], { cwd: dir.path });
      expect([timeout, flag.report.plugins[0]?.status, flag.report.plugins[0]?.error?.message ?? null]).toEqual([timeout, 'succeeded', null]);
    }
  });

  it('a short timeout still fires, and says after how long', async () => {
    const registry = await registryWith(entry('slow', '300ms'));
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    const { code, report } = await scanJson(['-i', repo, '-r', registry, '-c', config, '-p', 'slow'], { cwd: dir.path });
    expect(code).toBe(1);
    expect(report.plugins[0]?.status).toBe('timed out');
    expect(report.plugins[0]?.error?.message).toBe('timed out after 0.3s; the container was removed');
  });

  it('validate refuses sub-millisecond and over-100-year durations in the registry, the config and --timeout', async () => {
    const registry = await registryWith(entry('tiny', '0.1ms') + entry('fraction', '1.5ms') + entry('forever', '876001h'));
    const config = await writeConfig(dir.path, { DefaultTimeout: 0.0001 });
    const run = await runPmt(['validate', '-r', registry, '-c', config], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${registry}:9:14: plugins[0].timeout: "0.1ms" is shorter than 1ms`);
    expect(run.stderr).toContain(`${registry}:16:14: plugins[1].timeout: "1.5ms" is not a whole number of milliseconds`);
    expect(run.stderr).toContain(`${registry}:23:14: plugins[2].timeout: "876001h" is longer than 876000h (100 years), the longest duration pmt accepts`);
    expect(run.stderr).toContain(`${config}:2:21: DefaultTimeout: 0.0001 is shorter than 1ms`);

    const flag = await runPmt(['scan', '-i', repo, '-r', registry, '--timeout', '0.1ms'], { cwd: dir.path });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('"0.1ms" is shorter than 1ms');
  });
});
