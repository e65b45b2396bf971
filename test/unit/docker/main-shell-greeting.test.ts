import { Duplex, type Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
  return { shell, lines, answer };
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
