import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { savedResults, tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { scanJson, type PluginJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

describe('issue 10 item 13: an over-limit result gets the same size-limit message by archive copy as over REST', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-13-');
    await writeTree(dir.path, { 'repo/LICENSE': 'MIT' });
  });
  afterEach(async () => dir.remove());

  async function scan(rest: boolean): Promise<PluginJson[]> {
    const registry = await writeRegistry(dir.path, [
      { name: 'over-file', image: TestImages.curl, cmd: 'head -c 1048576 /dev/zero > /result/result.bin', results: ['result.bin'] },
      { name: 'over-run', image: TestImages.curl, cmd: 'for n in a b c; do head -c 50000 /dev/zero > /result/$n.bin; done', results: ['a.bin', 'b.bin', 'c.bin'] },
      { name: 'fine', image: TestImages.curl, cmd: 'echo ok > /result/result.txt' },
    ]);
    const config = await writeConfig(dir.path, { RestApi: rest, MaxResultFileBytes: '64KiB', MaxRunResultBytes: '120KiB', PathDirLogs: 'logs', PathDirResults: `results-${rest}` });
    const { code, report } = await scanJson(['-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'all', '--no-cache'], { cwd: dir.path });
    expect(code).toBe(1);
    expect(report.plugins.map((p) => p.transport)).toEqual(rest ? ['rest', 'rest', 'rest'] : ['archive', 'archive', 'archive']);
    expect(await savedResults(join(dir.path, `results-${rest}`))).toEqual(['fine_result.txt']);
    return report.plugins;
  }

  it('per file and per plugin run, with the hint naming the config key; the same on both transports', async () => {
    const archive = await scan(false);
    const rest = await scan(true);
    for (const plugins of [archive, rest]) {
      expect(plugins.map((p) => p.status)).toEqual(['failed', 'failed', 'succeeded']);
      expect(plugins[0]!.error).toEqual({
        origin: 'plugin',
        message: 'result file "result.bin" is larger than the limit of 64 KiB per file',
        hint: 'raise MaxResultFileBytes in the core engine config, or make the plugin write smaller results',
      });
      expect(plugins[1]!.error).toEqual({
        origin: 'plugin',
        message: 'result file "c.bin" takes the results of plugin run 1 over the limit of 120 KiB per plugin run',
        hint: 'raise MaxRunResultBytes in the core engine config, or make the plugin write smaller results',
      });
      expect(JSON.stringify(plugins)).not.toContain('aborted');
    }
    expect(rest.map((p) => p.error)).toEqual(archive.map((p) => p.error));
  });
});
