import { Duplex, type Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { ExecAborted } from '../../../src/docker/container-runtime.js';
import { MainShell, MainShellGone } from '../../../src/docker/main-shell.js';

/**
 * A main shell over a stream pmt writes lines into, and a fake shell that answers each line when
 * the test says so — what pmt's first line costs is a round trip only when it waits to be written.
 */
function fakeShell(firstAnswerMs: number) {
  const lines: string[] = [];
  let out: { stdout: Writable; stderr: Writable } | undefined;
  const stream = new Duplex({
    read: () => undefined,
    write: (chunk: Buffer, _encoding, done) => {
      lines.push(chunk.toString());
      done();
    },
  });
  const shell = new MainShell(stream, (_raw, stdout, stderr) => (out = { stdout, stderr }), 'sh', firstAnswerMs);
  /** Answers line `n` as a shell would: its output, then pmt's end lines with the line's own tag. */
  const answer = (n: number, stdout = ''): void => {
    const tag = /pmt-end-[0-9a-f]{32}/.exec(lines[n] ?? '')![0];
    out!.stdout.write(`${stdout}\n${tag} 0\n`);
    out!.stderr.write(`\n${tag}\n`);
  };
  /** What the fake shell writes on each stream, as the engine's attach stream would carry it. */
  const sinks = (): { stdout: Writable; stderr: Writable } => out!;
  return { shell, lines, answer, stream, sinks };
}

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('MainShell.greet', () => {
  it('writes pmt\'s first line at once, and the first command goes out as soon as it is answered', async () => {
    const { shell, lines, answer } = fakeShell(1000);
    shell.greet();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^':' <\/dev\/null; pmt_status=\$\?;/);
    answer(0); // answered before any command is asked for: no round trip left for the command
    const ran = shell.run(['echo', 'hi']);
    await tick();
    expect(lines).toHaveLength(2);
    answer(1, 'hi');
    expect(await ran).toEqual({ stdout: 'hi', stderr: '', exitCode: 0 });
  });

  it('counts the time the first answer may take from the first command, not from the greeting', async () => {
    const { shell, lines, answer } = fakeShell(50);
    shell.greet();
    await tick(120); // a slow container start: longer than the first answer may take
    const ran = shell.run(['true']);
    await tick(20);
    answer(0);
    await tick();
    answer(1);
    await expect(ran).resolves.toMatchObject({ exitCode: 0 });
    expect(lines).toHaveLength(2);
  });

  it('a greeting left unanswered still fails the first command as not a shell, within the time from that command', async () => {
    const { shell } = fakeShell(50);
    shell.greet();
    const started = Date.now();
    await expect(shell.run(['true'])).rejects.toMatchObject({ end: 'not a shell' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('the first command\'s abort signal cuts the wait for the greeting\'s answer short, and the shell takes no more', async () => {
    const { shell } = fakeShell(10_000);
    shell.greet();
    const abort = new AbortController();
    const ran = shell.run(['true'], { signal: abort.signal });
    await tick(10);
    abort.abort('SIGINT');
    const error = await ran.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecAborted);
    expect((error as ExecAborted).reason).toBe('SIGINT');
    await expect(shell.run(['true'])).rejects.toBeInstanceOf(MainShellGone);
  });
});

describe('MainShell: the first command written behind the unanswered greeting', () => {
  /** The tag of the shell's end lines (the same for every line of one shell). */
  const tagOf = (line: string): string => /pmt-end-[0-9a-f]{32}/.exec(line)![0];

  it('goes out at once, before the greeting is answered, as a watched line of its own', async () => {
    const { shell, lines, answer } = fakeShell(1000);
    shell.greet();
    const ran = shell.run(['echo', 'hi']);
    await tick();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("'echo' 'hi'");
    expect(lines[1]).toContain('exec 3<&0'); // its watcher starts only once the shell reads this line
    answer(0);
    answer(1, 'hi');
    expect(await ran).toEqual({ stdout: 'hi', stderr: '', exitCode: 0 });
  });

  it("takes its output from the same chunk as the greeting's end lines, on each stream", async () => {
    const { shell, lines, sinks: streams } = fakeShell(1000);
    shell.greet();
    const ran = shell.run(['sh', '-c', 'echo test; echo warn >&2; exit 3']);
    await tick();
    const tag = tagOf(lines[1]!);
    const sinks = streams();
    // The engine copies what the shell wrote as it finds it: both answers in one chunk per stream.
    sinks.stdout.write(`\n${tag} 0\ntest\n\n${tag} 3\n`);
    sinks.stderr.write(`\n${tag}\nwarn\n\n${tag}\n`);
    expect(await ran).toEqual({ stdout: 'test\n', stderr: 'warn\n', exitCode: 3 });
  });

  it("finds the greeting's end line in a chunk that carries more of the command's output than the end line's search window", async () => {
    const { shell, lines, sinks: streams } = fakeShell(1000);
    shell.greet();
    const ran = shell.run(['curl', '-V']);
    await tick();
    const tag = tagOf(lines[1]!);
    const long = 'curl 7.88.1 (x86_64-pc-linux-gnu) '.repeat(40); // as `curl -V` prints: well over 256 bytes
    streams().stdout.write(`\n${tag} 0\n${long}\n\n${tag} 0\n`);
    streams().stderr.write(`\n${tag}\n\n${tag}\n`);
    expect(await ran).toEqual({ stdout: `${long}\n`, stderr: '', exitCode: 0 });
  });

  it("takes what comes on a stream after the greeting's end line there while the greeting's other end line is still due", async () => {
    const { shell, lines, sinks: streams } = fakeShell(1000);
    shell.greet();
    const ran = shell.run(['echo', 'hi']);
    await tick();
    const tag = tagOf(lines[1]!);
    const sinks = streams();
    sinks.stdout.write(`\n${tag} 0\n`);
    sinks.stdout.write('hi\n');
    sinks.stdout.write(`\n${tag} 0\n`);
    sinks.stderr.write(`\n${tag}\n`);
    sinks.stderr.write(`\n${tag}\n`);
    expect(await ran).toEqual({ stdout: 'hi\n', stderr: '', exitCode: 0 });
  });

  it('fails with the greeting when the main process is not a shell: it echoes the lines back', async () => {
    const { shell, lines, sinks } = fakeShell(1000);
    shell.greet();
    const ran = shell.run(['true']);
    await tick();
    sinks().stdout.write(lines.join(''));
    await expect(ran).rejects.toMatchObject({ end: 'not a shell' });
    await expect(shell.run(['true'])).rejects.toBeInstanceOf(MainShellGone);
  });

  // Unanswered and cut short by its signal: the tests of MainShell.greet above (the first command
  // there is written behind the greeting too).

  it("cut short, it takes the first line's silence timer with it: no timer is left to keep pmt waiting", async () => {
    vi.useFakeTimers();
    try {
      const { shell } = fakeShell(10_000);
      shell.greet();
      const abort = new AbortController();
      const ran = shell.run(['true'], { signal: abort.signal });
      ran.catch(() => undefined);
      await vi.advanceTimersByTimeAsync(0);
      expect(vi.getTimerCount()).toBe(1);
      abort.abort('SIGINT');
      await vi.advanceTimersByTimeAsync(0);
      expect(vi.getTimerCount()).toBe(0);
      await expect(ran).rejects.toBeInstanceOf(ExecAborted);
    } finally {
      vi.useRealTimers();
    }
  });

  it('the commands after it wait for its answer: only one watched line is ever unanswered', async () => {
    const { shell, lines, answer } = fakeShell(1000);
    shell.greet();
    const first = shell.run(['echo', 'one']);
    const second = shell.run(['echo', 'two']);
    await tick();
    expect(lines).toHaveLength(2);
    answer(0);
    answer(1, 'one');
    expect(await first).toMatchObject({ stdout: 'one' });
    await tick();
    expect(lines).toHaveLength(3);
    answer(2, 'two');
    expect(await second).toMatchObject({ stdout: 'two' });
  });
});

describe('MainShell.finish', () => {
  const ended = (shell: ReturnType<typeof fakeShell>) => ({ writableEnded: shell.stream.writableEnded, destroyed: shell.stream.destroyed });

  it('ends the input of an idle shell, answered and with nothing queued, and keeps reading its output', async () => {
    const fake = fakeShell(1000);
    fake.shell.greet();
    fake.answer(0);
    const ran = fake.shell.run(['true']);
    await tick();
    fake.answer(1);
    await ran;
    // Finished by the caller as soon as it hears of the last command: the shell is idle then.
    expect(fake.shell.finish()).toBe(true);
    expect(ended(fake)).toEqual({ writableEnded: true, destroyed: false });
    await expect(fake.shell.run(['true'])).rejects.toThrow('the main shell was closed');
  });

  it('lets go of a shell with a command queued or running, or whose first line is unanswered', async () => {
    for (const state of ['queued', 'running', 'unanswered'] as const) {
      const fake = fakeShell(1000);
      fake.shell.greet();
      let ran: Promise<unknown> | undefined;
      if (state !== 'unanswered') {
        ran = fake.shell.run(['sleep', '300']);
        ran.catch(() => undefined);
        if (state === 'running') {
          fake.answer(0);
          await tick();
          expect(fake.lines).toHaveLength(2);
        }
      }
      expect(fake.shell.finish()).toBe(false);
      expect(ended(fake).destroyed).toBe(true);
      if (ran) await expect(ran).rejects.toBeInstanceOf(MainShellGone);
    }
  });
});
