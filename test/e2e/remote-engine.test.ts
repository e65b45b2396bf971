import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { containersWithLabels } from '../support/engine-state.js';
import { copySampleRepo, snapshotTree, tempDir, writeConfig, writeRegistry, writeTree } from '../support/fixtures.js';
import { readProvenanceRecord } from '../support/provenance-record.js';
import { REMOTE_DOCKER_HOST, ensureRemoteEngine, remoteDocker, remoteLeftovers } from '../support/remote-engine.js';
import { runPmt } from '../support/run-pmt.js';
import { TestImages } from '../support/test-images.js';

/**
 * `pmt scan` against the second dockerd (loopback TCP, its own data root): the engine cannot see
 * this machine's files, so the input must arrive as a read-only volume and results by archive copy.
 *
 * DEPENDS ON THE AGENT WIRING (lead): `--docker-host` / `--engine-local` / `--respect-gitignore` on
 * `scan`, connectDocker(io.env) in program.ts, and createInputVolume in the agent when
 * `engine.local` is false. It fails until that is wired.
 */
interface JsonReport {
  runId: string;
  plugins: { name: string; status: string; transport: string | null; error: { message: string } | null; results: { localPath: string }[] }[];
}

// What the plugin sees: the input, how /input is mounted (mountinfo: root of the mount, options), and whether it can write.
const LISTER = [
  'ls -A /input',
  "echo \"mount $(awk '$5 == \"/input\" {print $4, $6}' /proc/self/mountinfo)\"",
  'if touch /input/x 2>/dev/null; then echo WRITABLE; fi',
].join('; ');

describe('pmt scan on a remote engine (second dockerd on loopback TCP)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let config: string;
  let registry: string;

  beforeAll(async () => {
    await ensureRemoteEngine();
  });
  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    config = await writeConfig(dir.path, { PathDirLogs: 'logs', PathDirResults: 'results' });
    registry = await writeRegistry(dir.path, [
      { name: 'lister', image: TestImages.shell, cmd: `{ ${LISTER}; } > /result/result.txt` },
      { name: 'vandal', image: TestImages.shell, cmd: 'echo x > /input/LICENSE; touch /input/new && echo ok > /result/result.txt' },
    ]);
  });
  afterEach(async () => {
    await dir.remove();
  });

  async function scan(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; report: JsonReport; stderr: string }> {
    const run = await runPmt(['scan', '-i', repo, '-r', registry, '-c', config, '--json', '--no-cache', ...args], { cwd: dir.path, env });
    let report: JsonReport;
    try {
      report = JSON.parse(run.stdout) as JsonReport;
    } catch {
      throw new Error(`pmt printed no JSON report (exit ${run.code}); stderr:\n${run.stderr}`);
    }
    // Nothing of the run stays on either engine: no container, no input volume.
    expect(await remoteLeftovers(`pmt.run=${report.runId}`)).toEqual({ containers: [], volumes: [] });
    expect(await containersWithLabels(`pmt.run=${report.runId}`)).toEqual([]);
    return { code: run.code, report, stderr: run.stderr };
  }

  const resultOf = (report: JsonReport) => readFile(report.plugins[0]!.results[0]!.localPath, 'utf8');

  it('ships the input as a read-only volume and collects results by archive copy', async () => {
    const { code, report } = await scan(['-p', 'lister', '--docker-host', REMOTE_DOCKER_HOST]);

    expect(code).toBe(0);
    expect(report.plugins[0]).toMatchObject({ name: 'lister', status: 'succeeded', transport: 'archive' });
    const lines = (await resultOf(report)).trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual(['LICENSE', 'README.md', 'src']);
    // A volume in the second engine's data root, mounted read-only — not a bind of this machine's path.
    expect(lines[3]).toMatch(/^mount \S*\/volumes\/[0-9a-f]{64}\/_data ro,/);
    // No "WRITABLE": touching /input failed.
    expect(lines).toHaveLength(4);
    // The provenance record names the remote engine, the image id it ran there and the input digest (made here, with --no-cache).
    const { statement } = await readProvenanceRecord(join(dir.path, 'results'));
    const engine = statement.predicate.runDetails.builder.builderDependencies[0];
    expect(engine).toMatchObject({ uri: REMOTE_DOCKER_HOST, annotations: { location: 'remote' } });
    const [input, image] = statement.predicate.buildDefinition.resolvedDependencies;
    expect(input.annotations.inputDigest).toMatch(/^walk:[0-9a-f]{64}$/);
    const remoteId = (await remoteDocker().getImage(TestImages.shell).inspect()).Id;
    expect(image.annotations).toMatchObject({ plugin: 'lister', imageId: remoteId });
    expect(statement.subject).toEqual([{ name: 'lister_result.txt', digest: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } }]);
  });

  it('fails a plugin that writes to /input with "Read-only file system" and leaves the repo untouched', async () => {
    const before = await snapshotTree(repo);
    const { code, report } = await scan(['-p', 'vandal', '--docker-host', REMOTE_DOCKER_HOST]);

    expect(code).toBe(1);
    expect(report.plugins[0]?.status).toBe('failed');
    expect(report.plugins[0]?.error?.message).toContain('Read-only file system');
    expect(await snapshotTree(repo)).toEqual(before);
  });

  it('takes the engine from DOCKER_HOST, and lets --docker-host win over it', async () => {
    const fromEnv = await scan(['-p', 'lister'], { DOCKER_HOST: REMOTE_DOCKER_HOST });
    expect(fromEnv.code).toBe(0);
    expect(await resultOf(fromEnv.report)).toMatch(/^mount \S*\/volumes\//m);

    const flagWins = await scan(['-p', 'lister', '--docker-host', REMOTE_DOCKER_HOST], { DOCKER_HOST: 'tcp://127.0.0.1:1' });
    expect(flagWins.code).toBe(0);
    expect(flagWins.report.plugins[0]?.status).toBe('succeeded');
  });

  it('bind-mounts the input after all when --engine-local says the engine shares this filesystem', async () => {
    const { code, report } = await scan(['-p', 'lister', '--docker-host', REMOTE_DOCKER_HOST, '--engine-local']);
    expect(code).toBe(0);
    expect(await resultOf(report)).toMatch(/^mount \S*\/pmt-test-[^/]+\/repo ro,/m);
  });

  it('leaves out what .gitignore ignores with --respect-gitignore', async () => {
    await writeTree(repo, { '.gitignore': '*.log\n', 'build.log': 'ignored' });
    await promisify(execFile)('git', ['init', '-q'], { cwd: repo });
    const { code, report } = await scan(['-p', 'lister', '--docker-host', REMOTE_DOCKER_HOST, '--respect-gitignore']);
    expect(code).toBe(0);
    const listed = (await resultOf(report)).split('\n');
    expect(listed.slice(0, 4)).toEqual(['.gitignore', 'LICENSE', 'README.md', 'src']);
  });

  it('rejects an unusable --docker-host before starting anything (exit 2), naming the flag', async () => {
    const run = await runPmt(['scan', '-i', repo, '-r', registry, '-c', config, '-p', 'lister', '--docker-host', 'http://127.0.0.1:2375'], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--docker-host: "http://127.0.0.1:2375" the scheme http:// is not supported');
  });
});
