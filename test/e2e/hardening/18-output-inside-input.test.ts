import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../../support/fixtures.js';
import { REMOTE_DOCKER_HOST, ensureRemoteEngine, remoteLeftovers } from '../../support/remote-engine.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

/** The input as plugins see it: pmt's output dirs are there, but empty. */
const LISTING = ['LICENSE', 'README.md', 'core_engine_config.json', 'plugins.yaml', 'pmt-logs', 'pmt-results', 'src', '---', '/input/pmt-logs:', '', '/input/pmt-results:', ''];

describe('item 18: -o inside the input (`pmt scan -i . -o ./pmt-results`)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    await ensureRemoteEngine();
  });
  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    // Logs inside the input too; one result cache shared by the scans of a test.
    await writeConfig(repo, { RestApi: false, PathDirLogs: 'pmt-logs' });
    await writeRegistry(repo, [{ name: 'lister', image: TestImages.shell, cmd: '{ ls -A /input; echo ---; ls -A /input/pmt-logs /input/pmt-results; } > /result/result.txt' }]);
    env = { XDG_CACHE_HOME: join(dir.path, 'cache') };
  });
  afterEach(async () => {
    await dir.remove();
  });

  const scan = (extra: string[] = []) => scanJson(['-i', '.', '-o', './pmt-results', '-p', 'lister', ...extra], { cwd: repo, env });

  it('plugins do not see the results and logs of earlier scans, and the next scan hits the cache', async () => {
    const first = await scan();
    expect(first.code).toBe(0);
    expect(first.report.plugins[0]?.status).toBe('succeeded');
    const listed = (await readFile(join(repo, 'pmt-results', 'lister_result.txt'), 'utf8')).split('\n');
    expect(listed).toEqual(LISTING);

    // The dry run predicts it, from the same digest.
    const plan = await runPmt(['scan', '-i', '.', '-o', './pmt-results', '-p', 'lister', '--dry-run'], { cwd: repo, env });
    expect(plan.stdout).toMatch(/hit: results of/);

    const second = await scan();
    expect(second.code).toBe(0);
    expect(second.report.plugins[0]?.status).toBe('cached');
  });

  it('the copy shipped to a remote engine leaves them out as well', async () => {
    await scan();
    const remote = await scan(['--docker-host', REMOTE_DOCKER_HOST, '--no-cache']);
    expect(remote.report.plugins[0]).toMatchObject({ status: 'succeeded', transport: 'archive' });
    const listed = (await readFile(remote.report.plugins[0]!.results[0]!.localPath, 'utf8')).split('\n');
    expect(listed).toEqual(LISTING);
    expect(await remoteLeftovers(`pmt.run=${remote.report.runId}`)).toEqual({ containers: [], volumes: [] });
  });
});
