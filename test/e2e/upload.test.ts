import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakePmtServer } from '../support/fake-pmt-server.js';
import { copySampleRepo, REPO_ROOT, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { runPmt } from '../support/run-pmt.js';
import { scanJson } from '../support/scan-json.js';
import { TestImages } from '../support/test-images.js';
import { freeLoopbackPort } from '../support/free-port.js';

describe('uploading results to the PMT server', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let server: FakePmtServer;
  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    await writeConfig(dir.path, { PathDirLogs: 'logs', PathDirResults: 'results' });
    server = new FakePmtServer();
    await server.start();
  });
  afterEach(async () => {
    await server.close();
    await dir.remove();
  });

  const scan = (args: string[], env: NodeJS.ProcessEnv = {}) => scanJson(['-i', repo, '--log-format', 'text', ...args], { cwd: dir.path, env });

  it('runs every buildable bundled plugin in parallel and uploads each result byte for byte to its importer', async () => {
    const listed = await runPmt(['list', '--json', '-r', join(REPO_ROOT, 'plugins.yaml')], { cwd: dir.path });
    const plugins = (JSON.parse(listed.stdout) as { plugins: { name: string; importer: string; imageStatus: string }[] }).plugins;
    const buildable = plugins.filter((p) => p.imageStatus === 'present');
    expect(buildable.map((p) => p.name)).toEqual(expect.arrayContaining(['licensee', 'licensecheck', 'reuse', 'file-hasher']));

    const { code, report } = await scan(['-r', join(REPO_ROOT, 'plugins.yaml'), '-p', buildable.map((p) => p.name).join(','), '--server', server.url]);

    expect(code).toBe(0);
    expect(report.plugins.every((p) => p.status === 'succeeded')).toBe(true);
    expect(server.uploads).toHaveLength(buildable.length);
    for (const plugin of report.plugins) {
      const importer = buildable.find((p) => p.name === plugin.name)!.importer;
      const [result] = plugin.results;
      const request = server.uploads.find((u) => u.importer === importer)!;
      expect(request.body.equals(await readFile(result!.localPath))).toBe(true);
      expect(plugin.uploads).toEqual([expect.objectContaining({ fileName: result!.name, importer, status: 'uploaded', httpStatus: 201, attempts: 1 })]);
      expect(plugin.uploads[0]?.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    }
    expect(server.uploads.map((u) => u.importer).sort()).toEqual(buildable.map((p) => p.importer).sort());
    expect(server.uploads.find((u) => u.importer === 'spdx')?.headers['content-type']).toContain('text/plain');
  });

  it('retries a dropped connection and a 503, never a 400, and exits 4 when an upload fails', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'one', image: TestImages.shell, cmd: 'echo one > /result/result.txt', importer: 'spdx' },
      { name: 'two', image: TestImages.shell, cmd: 'echo two > /result/result.txt', importer: 'composer' },
    ]);
    server.respondWith(['drop', 503]);
    server.answerImporter('composer', '400 unsupported composer file');
    const { code, report, stderr } = await scan(['-r', registry, '-p', 'one', '-p', 'two', '--concurrency', '1'], { PMT_SERVER_URL: server.url });

    expect(code).toBe(4);
    const [one, two] = report.plugins;
    expect(one?.status).toBe('succeeded');
    expect(one?.uploads[0]).toMatchObject({ status: 'uploaded', attempts: 3, httpStatus: 201 });
    expect(two?.uploads[0]).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 400 });
    expect(two?.uploads[0]?.message).toContain('unsupported composer file');
    expect(stderr).toContain('retrying');
    // Local copies are kept whatever the server said.
    expect(await readFile(join(dir.path, 'results', 'two_result.txt'), 'utf8')).toBe('two\n');
  });

  it('never uploads the results of a failed plugin', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'half', image: TestImages.shell, cmd: 'echo partial > /result/result.txt; exit 2' },
      { name: 'good', image: TestImages.shell, cmd: 'echo good > /result/result.txt' },
    ]);
    const { code, report } = await scan(['-r', registry, '-p', 'all', '--server', server.url]);
    expect(code).toBe(1);
    expect(report.plugins[0]?.uploads).toEqual([]);
    expect(server.uploads.map((u) => u.body.toString())).toEqual(['good\n']);
  });

  it('says plainly before any container starts that the server is unreachable, still scans, keeps results and exits 4', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'one', image: TestImages.shell, cmd: 'echo one > /result/result.txt' }]);
    const url = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const { code, report, stderr } = await scan(['-r', registry, '-p', 'one', '--server', url]);

    expect(code).toBe(4);
    expect(report.server).toMatchObject({ url, reachable: false });
    expect(stderr.indexOf('PMT server unreachable')).toBeGreaterThan(-1);
    expect(stderr.indexOf('PMT server unreachable')).toBeLessThan(stderr.indexOf('Executing command'));
    expect(report.plugins[0]?.status).toBe('succeeded');
    expect(report.plugins[0]?.uploads[0]).toMatchObject({ status: 'failed', attempts: 0 });
    expect(await readFile(join(dir.path, 'results', 'one_result.txt'), 'utf8')).toBe('one\n');
  });

  it('--no-upload keeps everything local; 200 "no importer" is not a failure', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'one', image: TestImages.shell, cmd: 'echo one > /result/result.txt', importer: 'unknown-importer' }]);
    const skipped = await scan(['-r', registry, '-p', 'one', '--server', server.url, '--no-upload']);
    expect(skipped.code).toBe(0);
    expect(skipped.report.server).toBeNull();
    expect(server.requests).toEqual([]);

    server.answerImporter('unknown-importer', 200);
    const ignored = await scan(['-r', registry, '-p', 'one', '--server', server.url]);
    expect(ignored.code).toBe(0);
    expect(ignored.report.plugins[0]?.uploads[0]).toMatchObject({ status: 'ignored', httpStatus: 200 });
  });
});
