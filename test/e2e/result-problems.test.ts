import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig, writeRegistry, writeTree } from '../support/fixtures.js';
import { scanJson, type PluginJson } from '../support/scan-json.js';
import { TestImages } from '../support/test-images.js';

/** Issue 16 item 4: what a plugin author sees when a declared result cannot be collected. */
describe('declared results that cannot be collected: one message on both transports', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-result-problems-');
    await writeTree(dir.path, { 'repo/LICENSE': 'MIT' });
  });
  afterEach(async () => dir.remove());

  async function scan(rest: boolean): Promise<PluginJson[]> {
    const registry = await writeRegistry(dir.path, [
      // The most common mistake: the cmd writes another name than the entry declares.
      { name: 'misnamed', image: TestImages.curl, cmd: 'echo x > /result/spdx.txt; mkdir /result/work', results: ['spdx.tsv'] },
      { name: 'nothing', image: TestImages.curl, cmd: 'true', results: ['a.json', 'b.json'] },
      { name: 'many', image: TestImages.curl, cmd: 'for n in $(seq 1 14); do touch /result/f$n; done', results: ['wanted'] },
      { name: 'unreadable', image: TestImages.curl, cmd: 'echo x > /result/result.txt; chmod 000 /result/result.txt' },
      { name: 'symlinked', image: TestImages.curl, cmd: 'echo x > /tmp/out; ln -s /tmp/out /result/result.txt' },
      { name: 'fine', image: TestImages.curl, cmd: 'echo ok > /result/result.txt' },
    ]);
    const config = await writeConfig(dir.path, { RestApi: rest, PathDirLogs: 'logs', PathDirResults: 'results' });
    const { code, report } = await scanJson(['-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'all', '--no-cache'], { cwd: dir.path });
    expect(code).toBe(1);
    expect(new Set(report.plugins.map((p) => p.transport))).toEqual(new Set([rest ? 'rest' : 'archive']));
    return report.plugins;
  }

  it('names what /result holds, refuses unreadable and symlinked results alike, by archive copy and over REST', async () => {
    const archive = await scan(false);
    const rest = await scan(true);
    for (const plugins of [archive, rest]) {
      expect(plugins.map((p) => p.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'succeeded']);
      const messages = plugins.map((p) => p.error?.message);
      expect(messages[0]).toBe('declared result /result/spdx.tsv of plugin misnamed was not written; /result holds spdx.txt, work/');
      expect(plugins[0]!.error?.hint).toBe("check the plugin's cmd writes the declared names into /result, or fix its results list");
      expect(messages[1]).toBe('declared results /result/a.json, /result/b.json of plugin nothing were not written; /result is empty');
      expect(messages[2]).toMatch(/^declared result \/result\/wanted of plugin many was not written; \/result holds (f\d+, ){9}f\d+ and 4 more$/);
      expect(messages[3]).toBe('declared result /result/result.txt of plugin unreadable is not readable (its owner has no read permission); /result holds result.txt');
      expect(plugins[3]!.error?.hint).toBe('leave results readable (e.g. chmod 0644)');
      expect(messages[4]).toBe('declared result /result/result.txt of plugin symlinked is not a regular file (symlink); /result holds result.txt');
    }
    expect(rest.map((p) => p.error)).toEqual(archive.map((p) => p.error));
  });

  it.each([
    ['REST', true],
    ['archive copy', false],
  ])('a result hard-linked to an undeclared file in /result arrives whole over %s', async (_label, rest) => {
    // In the one tar stream of /result the second name of a hard link carries no bytes of its own.
    const registry = await writeRegistry(dir.path, [
      { name: 'linked', image: TestImages.curl, cmd: 'echo linked > /result/a-undeclared; ln /result/a-undeclared /result/result.txt; echo z > /result/z.txt; ln /result/z.txt /result/zz.txt', results: ['result.txt', 'z.txt', 'zz.txt'] },
    ]);
    const config = await writeConfig(dir.path, { RestApi: rest, PathDirLogs: 'logs', PathDirResults: 'results' });
    const { code, report } = await scanJson(['-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'all', '--no-cache'], { cwd: dir.path });
    expect(code).toBe(0);
    expect(report.plugins[0]!.results.map((r) => [r.name, r.size])).toEqual([['result.txt', 7], ['z.txt', 2], ['zz.txt', 2]]);
    expect(await readFile(join(dir.path, 'results', 'linked_result.txt'), 'utf8')).toBe('linked\n');
    expect(await readFile(join(dir.path, 'results', 'linked_zz.txt'), 'utf8')).toBe('z\n');
  });

  it('a self-post of an undeclared name fails the plugin, although every declared result arrived', async () => {
    const post = 'curl -sS --fail-with-body --unix-socket "$PMT_API_SOCKET" -H "Authorization: Bearer $PMT_TOKEN" -F "name=$PMT_PLUGIN_NAME" -F "id=$PMT_PLUGIN_ID"';
    const registry = await writeRegistry(dir.path, [
      { name: 'self-poster', image: TestImages.curl, cmd: `echo x > /result/extra.json; ${post} -F result=@/result/extra.json http://pmt/save; echo ok > /result/result.txt` },
    ]);
    const config = await writeConfig(dir.path, { RestApi: true, PathDirLogs: 'logs', PathDirResults: 'results' });
    const { code, report } = await scanJson(['-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'all', '--no-cache'], { cwd: dir.path });
    expect(code).toBe(1);
    expect(report.plugins[0]).toMatchObject({ status: 'failed', exitCode: 0, results: [] });
    expect(report.plugins[0]!.error).toEqual({
      origin: 'plugin',
      message: 'pmt refused a post of plugin self-poster: HTTP 422: "extra.json" is not a declared result of plugin "self-poster" (declared: "result.txt")',
      hint: "post only declared results (or declare the file in the entry's results); its log has the upload output",
    });
    expect(await readFile(report.plugins[0]!.logPath, 'utf8')).toContain('"extra.json" is not a declared result');
  });
});
