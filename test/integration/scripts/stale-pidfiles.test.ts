import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../../support/fixtures.js';
import { freeLoopbackPort } from '../../support/free-port.js';
import { until } from '../../support/until.js';

const run = promisify(execFile);
const PIDFILE_SH = join(REPO_ROOT, 'scripts', 'pidfile.sh');
const REMOTE_ENGINE_SH = join(REPO_ROOT, 'scripts', 'start-remote-engine.sh');

/**
 * A pid file left by a daemon that is gone, whose pid a live process of another program now has:
 * what a CI machine whose processes all start afresh meets (the same pids come back in much the same
 * order). The scripts must neither refuse to start, nor take the other process for their daemon, nor
 * signal it.
 */
describe('pid files left by daemons that are gone', () => {
  const decoys: ChildProcess[] = [];
  let dir: { path: string; remove: () => Promise<void> };

  /** A live process of another program (the "reused pid"). */
  function liveOther(): number {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    decoys.push(child);
    return child.pid!;
  }

  const isAlive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const comm = async (pid: number): Promise<string> => (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();

  beforeAll(async () => {
    dir = await tempDir('pmt-pidfiles-');
  });
  afterAll(async () => {
    for (const child of decoys) child.kill('SIGKILL');
    await dir?.remove();
  });

  describe('scripts/pidfile.sh', () => {
    let fakeDockerd: number;

    beforeAll(async () => {
      // A process whose program name is dockerd and whose arguments carry a pid file, like the real one.
      const program = join(dir.path, 'dockerd');
      await writeFile(program, '#!/bin/sh\nsleep 600\n');
      await chmod(program, 0o755);
      const child = spawn(program, ['--pidfile', join(dir.path, 'engine.pid')], { stdio: 'ignore', detached: true });
      decoys.push(child);
      fakeDockerd = child.pid!;
      await until(async () => (await comm(fakeDockerd)) === 'dockerd', { timeoutMs: 5_000, intervalMs: 20, what: 'the stand-in dockerd running' });
    });
    afterAll(() => {
      if (isAlive(fakeDockerd)) process.kill(-fakeDockerd, 'SIGKILL');
    });

    /** Writes PID into a pid file, runs clear_stale_pidfile on it, says whether the file is still there. */
    async function keeps(pid: number | string, name: string, mark: string): Promise<boolean> {
      const file = join(dir.path, `case-${Math.random().toString(36).slice(2)}.pid`);
      await writeFile(file, `${pid}\n`);
      await run('bash', ['-c', `. "$0" && clear_stale_pidfile "$1" "$2" "$3"`, PIDFILE_SH, file, name, mark]);
      return existsSync(file);
    }

    it('keeps a pid file only while its pid runs the named program with the mark among its arguments', async () => {
      const other = liveOther();
      const dead = spawn('true');
      await new Promise((resolve) => dead.once('exit', resolve));

      expect(await keeps(fakeDockerd, 'dockerd', join(dir.path, 'engine.pid'))).toBe(true);
      expect(await keeps(fakeDockerd, 'dockerd', '')).toBe(true);
      // Another dockerd (another pid file), another program, a pid that is gone, no pid at all.
      expect(await keeps(fakeDockerd, 'dockerd', join(dir.path, 'other.pid'))).toBe(false);
      expect(await keeps(other, 'dockerd', '')).toBe(false);
      expect(await keeps(dead.pid!, 'dockerd', '')).toBe(false);
      expect(await keeps('', 'dockerd', '')).toBe(false);
      // The check signals nothing: both live processes are still there.
      expect([isAlive(fakeDockerd), isAlive(other)]).toEqual([true, true]);
    });

    it('clears the engine pid file and its containerd pid file when they name other programs, and minds a missing one', async () => {
      const execRoot = join(dir.path, 'exec');
      await mkdir(join(execRoot, 'containerd'), { recursive: true });
      const enginePid = join(dir.path, 'stale-engine.pid');
      const containerdPid = join(execRoot, 'containerd', 'containerd.pid');
      await writeFile(enginePid, String(liveOther()));
      await writeFile(containerdPid, String(liveOther()));
      await run('bash', ['-c', `. "$0" && clear_stale_engine_pidfiles "$1" "$1" "$2"`, PIDFILE_SH, enginePid, execRoot]);
      expect([existsSync(enginePid), existsSync(containerdPid)]).toEqual([false, false]);
      // Nothing to clear is not an error.
      await run('bash', ['-c', `. "$0" && clear_stale_engine_pidfiles "$1" "$1" "$2"`, PIDFILE_SH, enginePid, execRoot]);
    });
  });

  describe('scripts/start-remote-engine.sh on a machine whose earlier engine is gone', () => {
    let stateDir: string;
    let env: NodeJS.ProcessEnv;
    let strangers: number[];

    beforeAll(async () => {
      stateDir = join(dir.path, 'remote-engine');
      env = { ...process.env, PMT_REMOTE_ENGINE_DIR: stateDir, PMT_REMOTE_ENGINE_PORT: String(await freeLoopbackPort()) };
      await mkdir(join(stateDir, 'exec', 'containerd'), { recursive: true });
      strangers = [liveOther(), liveOther()];
      await writeFile(join(stateDir, 'dockerd.pid'), `${strangers[0]}\n`);
      await writeFile(join(stateDir, 'exec', 'containerd', 'containerd.pid'), String(strangers[1]));
    });
    afterAll(async () => {
      if (stateDir) await run('bash', [REMOTE_ENGINE_SH, 'purge'], { env });
    });

    it('stop says the engine is not running and signals the process its stale pid file names', async () => {
      const { stderr } = await run('bash', [REMOTE_ENGINE_SH, 'stop'], { env });
      expect(stderr).toContain('not running');
      expect(strangers.map(isAlive)).toEqual([true, true]);
    });

    it('start brings up a dockerd and its own containerd, and leaves the other processes alone', async () => {
      await run('bash', [REMOTE_ENGINE_SH, 'start'], { env, timeout: 120_000 });
      const docker = new Dockerode({ host: '127.0.0.1', port: Number(env.PMT_REMOTE_ENGINE_PORT), protocol: 'http' });
      expect((await docker.info()).DockerRootDir).toBe(join(stateDir, 'data'));
      const dockerdPid = Number((await readFile(join(stateDir, 'dockerd.pid'), 'utf8')).trim());
      const containerdPid = Number((await readFile(join(stateDir, 'exec', 'containerd', 'containerd.pid'), 'utf8')).trim());
      expect(await comm(dockerdPid)).toBe('dockerd');
      expect(await comm(containerdPid)).toBe('containerd');
      expect(strangers).not.toContain(dockerdPid);
      expect(strangers).not.toContain(containerdPid);
      expect(strangers.map(isAlive)).toEqual([true, true]);
    }, 150_000);

    it('stop then stops that dockerd, still leaving the other processes alone', async () => {
      const dockerdPid = Number((await readFile(join(stateDir, 'dockerd.pid'), 'utf8')).trim());
      const { stderr } = await run('bash', [REMOTE_ENGINE_SH, 'stop'], { env, timeout: 90_000 });
      expect(stderr).toContain('stopped');
      expect(isAlive(dockerdPid)).toBe(false);
      expect(strangers.map(isAlive)).toEqual([true, true]);
    }, 120_000);
  });
});
