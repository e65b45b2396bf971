import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecAborted, type ContainerSpec, type ExecResult, type PluginContainer } from '../../../src/docker/container-runtime.js';
import { MainShellGone } from '../../../src/docker/main-shell.js';
import { connectDocker } from '../../../src/docker/connect-docker.js';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { TEST_LABEL, TestImages } from '../../support/test-images.js';

/**
 * The agent executes every command through the container's main shell (stdin in, multiplexed
 * stdout/stderr out). On the real engine: what an exec would give — separate streams, exact
 * bytes, the exit status, arguments taken literally, no stdin — and failures that say so.
 */
describe('commands through the container\'s main shell', () => {
  const runtime = connectDocker({ env: process.env });
  const session = randomBytes(4).toString('hex');
  const started: PluginContainer[] = [];

  const spec = (): ContainerSpec => ({
    image: TestImages.shell,
    command: ['/bin/sh'],
    labels: { [TEST_LABEL]: session },
    binds: [],
    volumes: ['/result'],
    env: { GREETING: 'hello from env' },
    networkMode: 'none',
    limits: { memoryBytes: 256 * 1024 * 1024, cpus: 0, pids: 64 },
    user: undefined,
    readOnlyRootfs: false,
  });
  /** `command`: another main process than the plain shell. */
  async function start(command?: string[]): Promise<PluginContainer> {
    const container = await runtime.startContainer(command ? { ...spec(), command } : spec());
    started.push(container);
    return container;
  }

  let container: PluginContainer;
  beforeAll(async () => {
    container = await start();
  });
  afterEach(async () => {
    for (const c of started.splice(1)) {
      c.detach();
      await runtime.removeContainer(c.id);
    }
  });
  afterAll(async () => {
    for (const c of started.splice(0)) {
      c.detach();
      await runtime.removeContainer(c.id);
    }
    expect(await containersWithLabels(`${TEST_LABEL}=${session}`)).toEqual([]);
  });

  const sh = (script: string, signal?: AbortSignal) => container.runInMainShell(['/bin/sh', '-c', script], { signal });

  it('keeps stdout and stderr apart, byte for byte, with the exit status', async () => {
    expect(await sh('printf "out\\nno newline"; printf "err line\\n" >&2; exit 3')).toEqual({ stdout: 'out\nno newline', stderr: 'err line\n', exitCode: 3 });
    expect(await sh('echo "$GREETING"')).toEqual({ stdout: 'hello from env\n', stderr: '', exitCode: 0 });
    expect(await sh('true')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await sh('printf "\\n\\n"')).toEqual({ stdout: '\n\n', stderr: '', exitCode: 0 });
  });

  it('passes every argument literally: quotes, $, backticks, spaces and newlines', async () => {
    const words = ["it's", '$HOME `id` $(id)', 'two\nlines', '', ' spaced '];
    const result = await container.runInMainShell(['/bin/sh', '-c', 'for w in "$@"; do printf "[%s]" "$w"; done', 'argv0', ...words]);
    expect(result).toEqual({ stdout: words.map((w) => `[${w}]`).join(''), stderr: '', exitCode: 0 });
  });

  it('gives commands no stdin, so one cannot swallow the next; state does not leak between them', async () => {
    expect(await sh('cat; echo "read done"')).toEqual({ stdout: 'read done\n', stderr: '', exitCode: 0 });
    await sh('cd /tmp; export LEAK=1; exit 0');
    expect(await sh('pwd; echo "leak=${LEAK:-none}"')).toEqual({ stdout: '/\nleak=none\n', stderr: '', exitCode: 0 });
  });

  it('runs commands one at a time in the order given, and carries megabytes of output', async () => {
    const [first, second, third] = await Promise.all([sh('sleep 0.2; echo first'), sh('echo second'), sh('head -c 3000000 /dev/zero | tr "\\0" x')]);
    expect(first!.stdout).toBe('first\n');
    expect(second!.stdout).toBe('second\n');
    expect(third!.stdout).toHaveLength(3_000_000);
  });

  it('reports a command killed by a signal as the shell does (128 + n) and a missing program as 127', async () => {
    expect((await sh('kill -KILL $$')).exitCode).toBe(137);
    const missing = await container.runInMainShell(['no-such-program']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/no-such-program: not found/);
  });

  it('cuts a command short on abort with what it printed so far, and takes no more commands', async () => {
    const own = await start();
    const controller = new AbortController();
    const running = own.runInMainShell(['/bin/sh', '-c', 'echo started; sleep 30'], { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = Date.now();
    controller.abort('timeout');
    const error = await running.catch((e: unknown) => e);
    expect(Date.now() - before).toBeLessThan(1000);
    expect(error).toBeInstanceOf(ExecAborted);
    expect((error as ExecAborted).partial.stdout).toBe('started\n');
    await expect(own.runInMainShell(['true'])).rejects.toThrow('cut short');
  });

  it('says why when the container is not running a shell at all: its exit code and logged last words', async () => {
    // The engine's init cannot start the shell and exits before the attach stream carries anything.
    const own = await start(['/bin/no-such-shell']);
    await expect(own.runInMainShell(['true'])).rejects.toThrow(
      /^the container's main shell ended with exit code 127; it said: .*exec \/bin\/no-such-shell failed: No such file or directory/,
    );
  });

  it('says so when the main shell itself ends, with what came back', async () => {
    const own = await start();
    // The command kills its parent, the main shell: tini then stops the container.
    await expect(own.runInMainShell(['/bin/sh', '-c', 'echo going >&2; kill -KILL $PPID; sleep 5'])).rejects.toThrow(
      /^the container's main shell ended with exit code \d+; it said: going$/,
    );
    await expect(own.runInMainShell(['true'])).rejects.toThrow("the container's main shell ended");
    const state = await docker.getContainer(own.id).inspect();
    expect(state.State.Running).toBe(false);
  });

  /** What the engine said about the container from `since` (seconds) until now, in order. */
  async function engineEvents(id: string, since: number): Promise<string[]> {
    const stream = (await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000) + 1, filters: { container: [id] } })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    return text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { Action: string }).Action);
  }

  it('finish: an idle shell ends at the end of its input and the container stops by itself, with no kill', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    // A main shell that takes a second to end once its input has ended: finish waits for the
    // container to stop, or the removal would have the engine kill it.
    const own = await start(['/bin/sh', '-c', "trap 'sleep 1' EXIT; /bin/sh"]);
    // A background process is no reason to stay: the init ends it with the shell.
    expect((await own.runInMainShell(['/bin/sh', '-c', 'sleep 300 >/dev/null 2>&1 & echo ok'])).stdout).toBe('ok\n');
    await own.finish();
    const state = await docker.getContainer(own.id).inspect();
    expect(state.State).toMatchObject({ Running: false, ExitCode: 0, OOMKilled: false });
    await runtime.removeContainer(own.id);
    const actions = await engineEvents(own.id, since);
    expect(actions).toContain('die');
    expect(actions).toContain('destroy');
    expect(actions).not.toContain('kill');
    await expect(own.runInMainShell(['true'])).rejects.toThrow('the main shell was closed');
  });

  it('finish: a shell still running a command is let go of at once, and the forced removal stops the container', async () => {
    const own = await start();
    const running = own.runInMainShell(['/bin/sh', '-c', 'sleep 300']);
    running.catch(() => undefined);
    await own.finish();
    // Queued behind pmt's first line or already running, the command does not get to its end.
    await expect(running).rejects.toBeInstanceOf(Error);
    await runtime.removeContainer(own.id);
    await expect(docker.getContainer(own.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('finish: a main process that does not end with its input (a hostile image) is waited for only briefly, then removed by force', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    // Speaks the protocol, then goes on after its input has ended.
    const own = await start(['/bin/sh', '-c', '/bin/sh; sleep 300']);
    expect((await own.runInMainShell(['/bin/sh', '-c', 'echo ok'])).stdout).toBe('ok\n');
    await own.finish();
    expect((await docker.getContainer(own.id).inspect()).State.Running).toBe(true);
    await runtime.removeContainer(own.id);
    await expect(docker.getContainer(own.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await engineEvents(own.id, since)).toContain('kill');
  });
  it('a command given while the container is only attached reaches the shell with its start, and keeps its own output on both streams', async () => {
    // Three at once: the answers to pmt's first line and to the command may come in one chunk.
    const answers = await Promise.all(
      [0, 1, 2].map(async (i) => {
        let early: Promise<ExecResult> | undefined;
        const own = await runtime.startContainer(spec(), {
          onAttached: (attached) => {
            early = attached.runInMainShell(['/bin/sh', '-c', `echo test ${i}; echo warn ${i} >&2; exit ${i}`]);
          },
        });
        started.push(own);
        const first = await early!;
        const next = await own.runInMainShell(['/bin/sh', '-c', 'echo next']);
        return { first, next };
      }),
    );
    expect(answers).toEqual([0, 1, 2].map((i) => ({ first: { stdout: `test ${i}\n`, stderr: `warn ${i}\n`, exitCode: i }, next: { stdout: 'next\n', stderr: '', exitCode: 0 } })));
  });

  it('when the start fails, the command given while attached fails too, and the container is removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pmt-start-fails-'));
    let early: Promise<ExecResult> | undefined;
    const starting = runtime.startContainer(
      { ...spec(), binds: [{ hostPath: dir, containerPath: '/gone', readOnly: true }] },
      {
        onAttached: (attached) => {
          early = attached.runInMainShell(['/bin/sh', '-c', 'echo test']);
          early.catch(() => undefined);
          // The bind's source goes between create and start: the engine refuses the start.
          rmSync(dir, { recursive: true });
        },
      },
    );
    await expect(starting).rejects.toThrow(/start a container/);
    await expect(early).rejects.toBeInstanceOf(MainShellGone);
    expect(await containersWithLabels(`${TEST_LABEL}=${session}`)).toHaveLength(started.length);
  });
});
