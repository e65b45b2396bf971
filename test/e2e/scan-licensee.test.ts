import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../support/engine-state.js';
import { copySampleRepo, REPO_ROOT, tempDir, writeConfig } from '../support/fixtures.js';
import { runPmt } from '../support/run-pmt.js';
import { TEST_LABEL } from '../support/test-images.js';
import { loadRegistryFile } from '../../src/registry/load-registry-file.js';

/** The bundled licensee plugin, as plugins.yaml declares it. */
const licensee = (await loadRegistryFile(join(REPO_ROOT, 'plugins.yaml'))).find('licensee')!;

/** What the same image writes when run by hand, without pmt: the reference result. */
async function plainContainerRun(repo: string, out: string): Promise<Buffer> {
  await mkdir(out, { recursive: true });
  const container = await docker.createContainer({
    Image: licensee.image,
    Cmd: [licensee.shell, '-c', licensee.cmd],
    Labels: { [TEST_LABEL]: 'plain-run' },
    HostConfig: { Binds: [`${repo}:/input:ro`, `${out}:/result`], NetworkMode: 'none' },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    expect(StatusCode).toBe(0);
  } finally {
    await container.remove({ force: true });
  }
  return readFile(join(out, 'result.json'));
}

describe.each([
  ['archive copy', false],
  ['REST', true],
])('pmt scan -p licensee over %s', (_name, restApi) => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeAll(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    await writeConfig(dir.path, { RestApi: restApi, PathDirLogs: 'logs', PathDirResults: 'results' });
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('writes the same bytes as a plain container run, naming Apache-2.0', async () => {
    const run = await runPmt(['scan', '-i', repo, '-r', join(REPO_ROOT, 'plugins.yaml'), '-p', 'licensee', '--json'], { cwd: dir.path });
    expect(run.stderr).not.toContain('"level":50');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { runId: string; plugins: { transport: string; results: { localPath: string; sha256: string }[] }[] };
    expect(report.plugins[0]?.transport).toBe(restApi ? 'rest' : 'archive');
    expect(await containersWithLabels(`pmt.run=${report.runId}`)).toEqual([]);

    const viaPmt = await readFile(join(dir.path, 'results', 'licensee_result.json'));
    const plain = await plainContainerRun(repo, join(dir.path, 'plain'));
    expect(viaPmt.equals(plain)).toBe(true);
    const parsed = JSON.parse(viaPmt.toString('utf8')) as { licenses: { spdx_id: string }[] };
    expect(parsed.licenses.map((l) => l.spdx_id)).toContain('Apache-2.0');
  });
});
