import { describe, expect, it } from 'vitest';
import { checkContainerOnce } from '../../../src/agent/check-compatibility.js';
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

describe('checkContainerOnce', () => {
  /** A main shell that answers the check's scripts as a shell with curl would, recording what ran. */
  function fakeShell(answer: (script: string) => ExecResult = (script) => ({ stdout: script.includes('curl -V') ? `test\n${CURL}` : 'test\n', stderr: '', exitCode: 0 })) {
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

  it('runs the probe when it is its turn to ask, and tells the answer', async () => {
    const answers = new ProbeAnswers();
    const shell = fakeShell();
    const { said, note } = notes();
    const probed = await checkContainerOnce(shell.run, '/bin/sh', 'curl -V', { turn: answers.take('k'), plugin: 'a', signal: new AbortController().signal, note });
    expect(shell.ran).toEqual(['/bin/sh -c echo test; curl -V']);
    expect(probed.stdout).toBe(CURL);
    expect(said).toEqual([]);
    const later = answers.take('k');
    expect(later.kind === 'known' && (await later.answer)?.plugin).toBe('a');
  });

  it("takes the answer of an alike container, still checks its own shell, and says whose answer it took", async () => {
    const answers = new ProbeAnswers();
    const first = answers.take('k');
    if (first.kind !== 'ask') throw new Error('unexpected turn');
    first.tell({ result: { stdout: CURL, stderr: '', exitCode: 0 }, plugin: 'a' });
    const shell = fakeShell();
    const { said, note } = notes();
    const probed = await checkContainerOnce(shell.run, '/bin/sh', 'curl -V', { turn: answers.take('k'), plugin: 'b', signal: new AbortController().signal, note });
    expect(shell.ran).toEqual(['/bin/sh -c echo test']);
    expect(probed).toEqual({ stdout: CURL, stderr: '', exitCode: 0 });
    expect(said).toEqual(["`curl -V` not run again: it answered in a's container in this run (same image, shell, user, environment and limits)"]);
  });

  it('asks itself when the check it waited for failed, and that failure told nothing', async () => {
    const answers = new ProbeAnswers();
    const broken = fakeShell(() => ({ stdout: 'nope\n', stderr: '', exitCode: 2 }));
    const signal = new AbortController().signal;
    const firstTurn = answers.take('k');
    const waitingTurn = answers.take('k');
    const first = checkContainerOnce(broken.run, '/bin/sh', 'curl -V', { turn: firstTurn, plugin: 'a', signal, note: async () => undefined });
    const shell = fakeShell();
    const waiting = checkContainerOnce(shell.run, '/bin/sh', 'curl -V', { turn: waitingTurn, plugin: 'b', signal, note: async () => undefined });
    await expect(first).rejects.toThrow(/compatibility check `echo test` failed/);
    expect((await waiting).stdout).toBe(CURL);
    // Its own `echo test` went out at once (with its container's start); the probe came after.
    expect(shell.ran).toEqual(['/bin/sh -c echo test', '/bin/sh -c echo test; curl -V']);
  });

  it('stops waiting for another container when its own signal aborts, running no probe', async () => {
    const answers = new ProbeAnswers();
    answers.take('k');
    const shell = fakeShell();
    const cut = new AbortController();
    const waiting = checkContainerOnce(shell.run, '/bin/sh', 'curl -V', { turn: answers.take('k'), plugin: 'b', signal: cut.signal, note: async () => undefined });
    cut.abort(new Error('timed out'));
    await expect(waiting).rejects.toThrow('timed out');
    expect(shell.ran).toEqual(['/bin/sh -c echo test']);
  });

  it('runs the plain check when the transport has no probe', async () => {
    const shell = fakeShell();
    await checkContainerOnce(shell.run, '/bin/sh', undefined, { turn: undefined, plugin: 'a', signal: new AbortController().signal, note: async () => undefined });
    expect(shell.ran).toEqual(['/bin/sh -c echo test']);
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
    expect(plan.map((p) => p.commands.find((command) => command.includes('echo test')))).toEqual([
      '/bin/sh -c echo test; curl -V',
      "/bin/sh -c echo test (`curl -V` answered in a's container: same image, shell, user, environment and limits)",
      '/bin/sh -c echo test; curl -V',
    ]);
  });
});
