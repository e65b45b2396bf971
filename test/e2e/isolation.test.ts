import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containersWithLabels } from '../support/engine-state.js';
import { copySampleRepo, tempDir, writeConfig } from '../support/fixtures.js';
import { runPmt } from '../support/run-pmt.js';
import { scanJson } from '../support/scan-json.js';
import { OOM_SCORES_COMMAND } from '../support/oom-scores.js';
import { TestImages } from '../support/test-images.js';

/** A registry entry with the isolation keys that writeRegistry does not know. */
async function writeRawRegistry(dir: string, plugins: Record<string, unknown>[]): Promise<string> {
  const path = join(dir, 'raw-plugins.yaml');
  const entries = plugins.map((p) => ({ version: '1.0.0', shell: '/bin/sh', results: ['result.txt'], ...p }));
  await writeFile(path, stringify({ version: 'R1.0', plugins: entries }));
  return path;
}

describe('timeouts, limits and isolation on the real engine', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
  });
  afterEach(async () => {
    await dir.remove();
  });

  const scan = (registry: string, args: string[]) => scanJson(['-i', repo, '-r', registry, ...args], { cwd: dir.path });

  it('a plugin past its timeout is killed, reported timed out with its partial log; the others carry on', async () => {
    const registry = await writeRawRegistry(dir.path, [
      // The limit counts from the container's create: on a loaded machine create, start and check
      // took 1.8 s, which left a 2 s limit too little time for the first echo.
      { name: 'forever', docker_image: TestImages.shell, cmd: 'echo started-work; sleep 600', timeout: '6s' },
      { name: 'quick', docker_image: TestImages.shell, cmd: 'sleep 3; echo ok > /result/result.txt' },
    ]);
    const { code, report } = await scan(registry, ['-p', 'all']);

    expect(code).toBe(1);
    const [forever, quick] = report.plugins;
    expect(forever?.status).toBe('timed out');
    expect(forever?.error?.message).toBe('timed out after 6s; the container was removed');
    expect(forever?.durationMs).toBeLessThan(30_000);
    const log = await readFile(forever!.logPath, 'utf8');
    expect(log).toMatch(/^pmt: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} started: \/bin\/sh -c echo started-work; sleep 600\n/m);
    expect(log).toMatch(
      /^stdout of command \/bin\/sh -c echo started-work; sleep 600\nstarted-work\npmt: cut short \(timeout or signal\) after \d+\.\d{3}s: \/bin\/sh -c echo started-work; sleep 600\n/m,
    );
    expect(log).toContain('pmt: timed out after 6s; the container was removed');
    expect(forever?.error?.hint).toBe("raise the plugin's `timeout` in the registry (or override it with --timeout); the log shows how far it got");
    expect(quick?.status).toBe('succeeded');
  });

  it('--timeout overrides the registry and the config', async () => {
    const registry = await writeRawRegistry(dir.path, [{ name: 'slowish', docker_image: TestImages.shell, cmd: 'sleep 5; echo ok > /result/result.txt', timeout: '1h' }]);
    const { code, report } = await scan(registry, ['-p', 'slowish', '--timeout', '1500ms']);
    expect(code).toBe(1);
    expect(report.plugins[0]?.status).toBe('timed out');
    expect(report.plugins[0]?.error?.message).toContain('after 1.5s');
    // The flag set the limit, so the hint names the flag, not the registry's `timeout`.
    expect(report.plugins[0]?.error?.hint).toBe("pass a longer --timeout (it overrides the registry entry's `timeout` and DefaultTimeout); the log shows how far it got");
  });

  it('a plugin that exceeds its memory limit is killed and says so', async () => {
    // tail -c keeps the last 64 MB of its input in memory: twice the limit.
    const registry = await writeRawRegistry(dir.path, [
      { name: 'hungry', docker_image: TestImages.shell, cmd: 'head -c 100000000 /dev/zero | tail -c 64000000 > /dev/null && echo ok > /result/result.txt', resources: { memory: '32MiB' } },
    ]);
    const { code, report } = await scan(registry, ['-p', 'hungry']);
    expect(code).toBe(1);
    expect(report.plugins[0]).toMatchObject({ status: 'failed', exitCode: 137 });
    expect(report.plugins[0]?.error?.message).toContain('memory limit of 32 MiB');
  });

  it("the plugin's command, not pmt's main shell, is the kernel's first choice when the memory runs out", async () => {
    const cmd = `{ ${OOM_SCORES_COMMAND}; } > /result/result.txt`;
    const registry = await writeRawRegistry(dir.path, [{ name: 'scores', docker_image: TestImages.shell, cmd }]);
    const { code, report } = await scan(registry, ['-p', 'scores']);
    expect(code).toBe(0);
    expect(await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8')).toBe('1000\n0\n');
  });

  describe('network', () => {
    let server: Server;
    let port: number;
    let connections = 0;
    const sockets = new Set<Socket>();
    beforeEach(async () => {
      connections = 0;
      server = createServer((socket) => {
        connections++;
        sockets.add(socket);
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterEach(async () => {
      // The answer is sent; don't wait on a peer whose container is already gone.
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('is none by default: the container sees only its own loopback and reaches nothing', async () => {
      const registry = await writeRawRegistry(dir.path, [
        { name: 'probe', docker_image: TestImages.curl, cmd: `ls /sys/class/net > /result/result.txt; curl -sS -m 3 http://127.0.0.1:${port}/ >> /result/result.txt 2>&1 || echo unreachable >> /result/result.txt` },
      ]);
      const { code, report } = await scan(registry, ['-p', 'probe']);
      expect(code).toBe(0);
      const seen = await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8');
      expect(seen.split('\n')[0]).toBe('lo');
      expect(seen).toContain('unreachable');
      expect(seen).not.toContain('hello');
      expect(connections).toBe(0);
    });

    it('a plugin that opts into the host network reaches the host', async () => {
      const registry = await writeRawRegistry(dir.path, [
        { name: 'probe', docker_image: TestImages.curl, network: 'host', cmd: `curl -sS -m 3 http://127.0.0.1:${port}/ > /result/result.txt` },
      ]);
      const { code, report } = await scan(registry, ['-p', 'probe']);
      expect(code).toBe(0);
      expect(await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8')).toBe('hello');
      expect(connections).toBe(1);
    });
  });

  it('read_only_rootfs keeps the image read-only but /result and /tmp writable, and /tmp executable', async () => {
    // A scanner that unpacks a helper into /tmp and runs it (as many bundled tools do) must work.
    const cmd = '(touch /etc/x 2>&1 || true) > /tmp/out; echo tmp-ok >> /tmp/out; cp /bin/echo /tmp/helper && /tmp/helper helper-ran >> /tmp/out; cp /tmp/out /result/result.txt';
    const registry = await writeRawRegistry(dir.path, [{ name: 'locked', docker_image: TestImages.shell, read_only_rootfs: true, cmd }]);
    const { code, report } = await scan(registry, ['-p', 'locked']);
    expect(code, report.plugins[0]?.error?.message).toBe(0);
    const seen = await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8');
    expect(seen).toContain('Read-only file system');
    expect(seen).toContain('tmp-ok');
    expect(seen).toContain('helper-ran');
  });

  it('runs as the registry entry\'s user, with all capabilities dropped, and can still write /result', async () => {
    const registry = await writeRawRegistry(dir.path, [
      { name: 'nobody', docker_image: TestImages.shell, user: '1000:1000', env: { GREETING: 'hi' }, cmd: 'id -u > /result/result.txt; grep CapEff /proc/self/status >> /result/result.txt; echo $GREETING >> /result/result.txt' },
    ]);
    const { code, report } = await scan(registry, ['-p', 'nobody']);
    expect(code).toBe(0);
    const [uid, caps, greeting] = (await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8')).trim().split('\n');
    expect(uid).toBe('1000');
    expect(caps).toMatch(/^CapEff:\s+0+$/);
    expect(greeting).toBe('hi');
  });

  it('--dry-run prints the resolved plan with secrets masked and creates nothing', async () => {
    const registry = await writeRawRegistry(dir.path, [
      { name: 'planned', docker_image: TestImages.shell, cmd: 'echo x > /result/result.txt', env: { API_TOKEN: 'hunter2', MODE: 'fast' }, resources: { memory: '64MiB', pids: 64 }, timeout: '90s' },
    ]);
    const before = await containersWithLabels(`pmt.pid=${process.pid}`);
    const run = await runPmt(['scan', '-i', repo, '-r', registry, '-p', 'planned', '--dry-run', '--json'], { cwd: dir.path });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('hunter2');
    const plan = JSON.parse(run.stdout) as { plugins: { plugin: string; timeout: string; commands: string[]; container: { env: Record<string, string>; limits: unknown; networkMode: string; binds: { hostPath: string; readOnly: boolean }[] } }[] };
    const [planned] = plan.plugins;
    expect(planned?.timeout).toBe('1m30s');
    expect(planned?.container.env).toMatchObject({ API_TOKEN: '****', MODE: 'fast', PMT_PLUGIN_NAME: 'planned' });
    expect(planned?.container.limits).toEqual({ memoryBytes: 64 * 2 ** 20, cpus: 0, pids: 64 });
    expect(planned?.container.networkMode).toBe('none');
    expect(planned?.container.binds[0]).toEqual({ hostPath: repo, containerPath: '/input', readOnly: true });
    expect(planned?.commands).toEqual(["/bin/sh -c echo test (written behind pmt's first line, before the container starts)", '/bin/sh -c echo x > /result/result.txt']);
    expect(await containersWithLabels(`pmt.pid=${process.pid}`)).toEqual(before);
  });
});
