import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../../support/fixtures.js';
import { spawnPmt } from '../../support/run-pmt.js';
import { TestImages } from '../../support/test-images.js';

/** A "registry" on loopback that accepts connections and never answers: the engine's pull hangs (~25 s). */
async function silentRegistry(): Promise<{ image: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    image: `127.0.0.1:${port}/pmt-test/never-answers:1`,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

describe('issue 10 item 8: a first signal before anything runs on the engine, and any second signal, end pmt at once', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: Awaited<ReturnType<typeof silentRegistry>>;
  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    registry = await silentRegistry();
  });
  afterEach(async () => {
    await registry.close();
    await dir.remove();
  });

  it('a results or logs directory below /proc/<pid> is refused at once (no recursive mkdir loop)', async () => {
    const plugins = await writeRegistry(dir.path, [{ name: 'quick', image: TestImages.shell, cmd: 'true' }]);
    for (const [flag, config] of [
      [['-o', `/proc/${process.pid}/pmt/results`], { RestApi: false }],
      [[], { RestApi: false, PathDirLogs: `/proc/${process.pid}/pmt/logs` }],
    ] as const) {
      const configFile = await writeConfig(dir.path, config);
      const child = spawnPmt(['scan', '-i', repo, '-r', plugins, '-c', configFile, '-p', 'quick', ...flag], { cwd: dir.path });
      const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const run = await child.result;
      clearTimeout(guard);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/cannot use \/proc\/\d+\/pmt\/(results|logs) as the (results|logs) directory/);
    }
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while an image pull hangs (no container yet) exits %i at once', async (signal, code) => {
    const plugins = await writeRegistry(dir.path, [{ name: 'unpullable', image: registry.image, cmd: 'true' }]);
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs' });
    const child = spawnPmt(['scan', '-i', repo, '-r', plugins, '-c', config, '-p', 'unpullable', '--no-cache'], { cwd: dir.path });
    // The pull has started when pmt logs it (its stderr is not a terminal: JSON lines).
    await expect.poll(() => child.stderrText(), { timeout: 20_000 }).toMatch(/[Pp]ull/);
    const sent = Date.now();
    child.kill(signal);
    const run = await child.result;
    expect(Date.now() - sent).toBeLessThan(3_000);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(`Received ${signal}`);
  });

  it('a second signal ends a run whose clean stop waits for something that ignores the first', async () => {
    const plugins = await writeRegistry(dir.path, [
      { name: 'running', image: TestImages.shell, cmd: 'sleep 300' },
      { name: 'unpullable', image: registry.image, cmd: 'true' },
    ]);
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs' });
    const child = spawnPmt(['scan', '-i', repo, '-r', plugins, '-c', config, '-p', 'all', '--no-cache'], { cwd: dir.path });
    const mine = `pmt.pid=${child.pid}`;
    await expect.poll(async () => (await containersWithLabels(mine)).map((c) => c.State), { timeout: 30_000 }).toEqual(['running']);
    child.kill('SIGINT');
    // The first signal removes the running container; the pull goes on (the engine does not stop it).
    await expect.poll(async () => containersWithLabels(mine), { timeout: 10_000 }).toEqual([]);
    expect(child.exitCode).toBeNull();
    const sent = Date.now();
    child.kill('SIGINT');
    const run = await child.result;
    expect(Date.now() - sent).toBeLessThan(3_000);
    expect(run.code).toBe(130);
    expect(await containersWithLabels(mine)).toEqual([]);
    expect((await docker.listVolumes({ filters: { label: [mine] } })).Volumes ?? []).toEqual([]);
  });
});
