import { describe, expect, it } from 'vitest';
import { checkContainer, probeOnce } from '../../../src/agent/check-compatibility.js';
import { pluginContainerSpec } from '../../../src/agent/container-spec.js';
import { probeKey, ProbeAnswers } from '../../../src/agent/probe-answers.js';
import { DEFAULT_CONFIG } from '../../../src/config/config-defaults.js';
import type { ContainerLimits, ExecResult } from '../../../src/docker/container-runtime.js';
import { planScan } from '../../../src/engine/plan-scan.js';
import { parseRegistry } from '../../../src/registry/parse-registry.js';
import type { Plugin } from '../../../src/registry/plugin.js';

const CURL = 'curl 7.88.1 (x86_64-pc-linux-gnu)\nProtocols: http https\n';
const LIMITS: ContainerLimits = { memoryBytes: 2 ** 31, cpus: 0, pids: 1024 };
const identity = { runId: 'run1', pid: 1, host: 'here' };

function plugins(yaml: string): Plugin[] {
  return [...parseRegistry(`version: R1.0\nplugins:\n${yaml}`, 'reg.yaml', { baseDir: '/srv' }).available()];
}

const entry = (name: string, more = '') =>
  `  - name: ${name}\n    version: "1"\n    docker_image: pmt-test/curl:1\n    shell: /bin/sh\n    cmd: echo x > /result/r.txt\n    results: [r.txt]\n${more}`;

function spec(plugin: Plugin, id: number, token: string, limits = LIMITS) {
  const setup = { env: { PMT_TOKEN: token, PMT_API_SOCKET: '/run/pmt/api.sock' }, binds: [], needsHostNetwork: false };
  return pluginContainerSpec({ id, plugin }, '/repo', identity, setup, limits);
}

describe('probeKey', () => {
  const [a, b, user, env, shell] = plugins(
    entry('a') + entry('b') + entry('user', '    user: "1000"\n') + entry('env', '    env: { PATH: /opt/bin }\n') + entry('shell').replace('/bin/sh', '/bin/bash'),
  );

  it('is the same for containers that differ only in the plugin, its id and its token', () => {
    expect(probeKey('sha256:1', spec(a!, 0, 'x'))).toBe(probeKey('sha256:1', spec(b!, 1, 'y')));
  });

  it('differs by image, user, environment, shell and limits', () => {
    const base = probeKey('sha256:1', spec(a!, 0, 'x'));
    expect(probeKey('sha256:2', spec(a!, 0, 'x'))).not.toBe(base);
    expect(probeKey('sha256:1', spec(user!, 0, 'x'))).not.toBe(base);
    expect(probeKey('sha256:1', spec(env!, 0, 'x'))).not.toBe(base);
    expect(probeKey('sha256:1', spec(shell!, 0, 'x'))).not.toBe(base);
    expect(probeKey('sha256:1', spec(a!, 0, 'x', { ...LIMITS, memoryBytes: 2 ** 24 }))).not.toBe(base);
  });
});

describe('ProbeAnswers', () => {
  it('lets the first plugin of a kind ask, and gives the others its answer', async () => {
    const answers = new ProbeAnswers();
    const first = answers.take('k');
    const second = answers.take('k');
    expect(first.kind).toBe('ask');
    expect(second.kind).toBe('known');
    expect(answers.take('other').kind).toBe('ask');
    if (first.kind !== 'ask' || second.kind !== 'known') return;
    first.tell({ result: { stdout: CURL, stderr: '', exitCode: 0 }, plugin: 'a' });
    expect(await second.answer).toEqual({ result: { stdout: CURL, stderr: '', exitCode: 0 }, plugin: 'a' });
    expect(answers.take('k').kind).toBe('known');
  });

  it('forgets an answer that never came: whoever waited, and whoever comes later, asks again', async () => {
    const answers = new ProbeAnswers();
    const first = answers.take('k');
    const waiting = answers.take('k');
    if (first.kind !== 'ask' || waiting.kind !== 'known') throw new Error('unexpected turns');
    first.tell(undefined);
    expect(await waiting.answer).toBeUndefined();
    expect(answers.take('k').kind).toBe('ask');
  });
});

describe('probeOnce', () => {
  /** A main shell that answers as a shell with curl would, recording what ran. */
  function fakeShell(answer: (script: string) => Promise<ExecResult> | ExecResult = (script) => ({ stdout: script === 'curl -V' ? CURL : 'test\n', stderr: '', exitCode: 0 })) {
    const ran: string[] = [];
    const run = async (command: readonly string[]) => {
      ran.push(command.join(' '));
      return answer(command[2]!);
    };
    return { ran, run };
  }
  const notes = () => {
    const said: string[] = [];
    return { said, note: async (message: string) => void said.push(message) };
  };
  const signal = new AbortController().signal;

  it('runs the probe when it is its turn to ask, and tells the answer', async () => {
    const answers = new ProbeAnswers();
    const shell = fakeShell();
    const { said, note } = notes();
    const probed = await probeOnce(shell.run, '/bin/sh', 'curl -V', { turn: answers.take('k'), plugin: 'a', signal, note });
    expect(shell.ran).toEqual(['/bin/sh -c curl -V']);
    expect(probed).toEqual({ stdout: CURL, stderr: '', exitCode: 0 });
    expect(said).toEqual([]);
    const later = answers.take('k');
    expect(later.kind === 'known' && (await later.answer)?.plugin).toBe('a');
  });

  it('tells an answer that says curl is missing as well: alike containers take it', async () => {
    const answers = new ProbeAnswers();
    const noCurl = fakeShell(() => ({ stdout: '', stderr: 'sh: 1: curl: not found\n', exitCode: 127 }));
    const probed = await probeOnce(noCurl.run, '/bin/sh', 'curl -V', { turn: answers.take('k'), plugin: 'a', signal, note: async () => undefined });
    expect(probed.exitCode).toBe(127);
    const shell = fakeShell();
    const taken = await probeOnce(shell.run, '/bin/sh', 'curl -V', { turn: answers.take('k'), plugin: 'b', signal, note: async () => undefined });
    expect(taken.exitCode).toBe(127);
    expect(shell.ran).toEqual([]);
  });

  it('takes the answer of an alike container, runs nothing, and says whose answer it took', async () => {
    const answers = new ProbeAnswers();
    const first = answers.take('k');
    if (first.kind !== 'ask') throw new Error('unexpected turn');
    first.tell({ result: { stdout: CURL, stderr: '', exitCode: 0 }, plugin: 'a' });
    const shell = fakeShell();
    const { said, note } = notes();
    const probed = await probeOnce(shell.run, '/bin/sh', 'curl -V', { turn: answers.take('k'), plugin: 'b', signal, note });
    expect(shell.ran).toEqual([]);
    expect(probed).toEqual({ stdout: CURL, stderr: '', exitCode: 0 });
    expect(said).toEqual(["`curl -V` not run again: it answered in a's container in this run (same image, shell, user, environment and limits)"]);
  });

  it('asks itself when the probe it waited for never answered (its shell went away)', async () => {
    const answers = new ProbeAnswers();
    const gone = fakeShell(() => Promise.reject(new Error("the container's main shell ended")));
    const firstTurn = answers.take('k');
    const waitingTurn = answers.take('k');
    const first = probeOnce(gone.run, '/bin/sh', 'curl -V', { turn: firstTurn, plugin: 'a', signal, note: async () => undefined });
    const shell = fakeShell();
    const waiting = probeOnce(shell.run, '/bin/sh', 'curl -V', { turn: waitingTurn, plugin: 'b', signal, note: async () => undefined });
    await expect(first).rejects.toThrow(/compatibility check `curl -V` could not run: the container's main shell ended/);
    expect((await waiting).stdout).toBe(CURL);
    expect(shell.ran).toEqual(['/bin/sh -c curl -V']);
  });

  it('stops waiting for another container when its own signal aborts, running nothing', async () => {
    const answers = new ProbeAnswers();
    answers.take('k');
    const shell = fakeShell();
    const cut = new AbortController();
    const waiting = probeOnce(shell.run, '/bin/sh', 'curl -V', { turn: answers.take('k'), plugin: 'b', signal: cut.signal, note: async () => undefined });
    cut.abort(new Error('timed out'));
    await expect(waiting).rejects.toThrow('timed out');
    expect(shell.ran).toEqual([]);
  });
});

describe('checkContainer', () => {
  it('runs `echo test` (and the probe, when given, in the same line, as pmt doctor does) and judges the first line', async () => {
    const ran: string[] = [];
    const run = async (command: readonly string[]) => {
      ran.push(command.join(' '));
      return { stdout: command[2] === 'echo test' ? 'test\n' : `test\n${CURL}`, stderr: '', exitCode: 0 };
    };
    expect(await checkContainer(run, '/bin/sh', undefined)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await checkContainer(run, '/bin/sh', 'curl -V')).toEqual({ stdout: CURL, stderr: '', exitCode: 0 });
    expect(ran).toEqual(['/bin/sh -c echo test', '/bin/sh -c echo test; curl -V']);
    const wrong = async () => ({ stdout: 'nope\n', stderr: '', exitCode: 2 });
    await expect(checkContainer(wrong, '/bin/sh', undefined)).rejects.toThrow(/compatibility check `echo test` failed: exit code 2, output "nope"/);
  });
});

describe('the plan of a scan', () => {
  it('shows `curl -V` in the first of alike plugins only, and says whose answer the others take', () => {
    const plan = planScan({
      plugins: plugins(entry('a') + entry('b') + entry('env', '    env: { PATH: /opt/bin }\n')),
      inputDir: '/repo',
      config: { ...DEFAULT_CONFIG, restApi: true },
      timeoutOverrideMs: undefined,
      engineLocal: true,
      pid: 1,
    });
    expect(plan.map((p) => p.commands.filter((command) => command.includes('echo test') || command.includes('curl -V')))).toEqual([
      ["/bin/sh -c echo test (written behind pmt's first line, before the container starts)", '/bin/sh -c curl -V'],
      [
        "/bin/sh -c echo test (written behind pmt's first line, before the container starts)",
        "`curl -V` not run: taken from the first alike container to start (a's when it starts first: same image, shell, user, environment and limits)",
      ],
      ["/bin/sh -c echo test (written behind pmt's first line, before the container starts)", '/bin/sh -c curl -V'],
    ]);
  });
});
