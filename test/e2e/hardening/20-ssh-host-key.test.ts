import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { docker } from '../../support/engine-state.js';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../../support/fixtures.js';
import type { PmtRun } from '../../support/run-pmt.js';
import type { ScanReportJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';
import { ensureOpenSsh, makeKey, runPmtWithHome, startSshAgent, startSshd, type TestSshd } from '../../support/test-sshd.js';

/**
 * Issue 10, item 20: an ssh:// engine must be reached the way the docker CLI reaches it — the system
 * `ssh … docker system dial-stdio` — so that OpenSSH checks the host key against known_hosts and
 * reads ~/.ssh/config (aliases, User, Port, IdentityFile, ProxyJump) and the agent. Against a real
 * sshd on loopback whose logins reach this machine's engine. pmt runs with a test home mounted over
 * the real one, so ~/.ssh is the test's.
 *
 * Before the fix pmt used docker-modem's ssh2 client: it accepted any host key (the "impostor" test
 * connected and scanned) and knew no aliases.
 */
describe('ssh:// engines: host key checked, ssh config honoured (issue 10 #20)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let sshd: TestSshd;
  let agent: { socket: string; stop: () => Promise<void> };
  let clientKey: string;
  let impostorKey: string;
  let repo: string;
  let registry: string;
  let config: string;
  let homes = 0;
  // Without SSH_AUTH_SOCK or DOCKER_HOST of the machine running the tests: each test says what it uses.
  const { SSH_AUTH_SOCK: _agent, DOCKER_HOST: _host, ...baseEnv } = process.env;

  beforeAll(async () => {
    await ensureOpenSsh();
    dir = await tempDir('pmt-ssh-');
    clientKey = join(dir.path, 'client_key');
    const publicKey = await makeKey(clientKey);
    impostorKey = await makeKey(join(dir.path, 'impostor_host_key'));
    sshd = await startSshd(dir.path, publicKey);
    agent = await startSshAgent(dir.path, clientKey);
    repo = await copySampleRepo(dir.path);
    config = await writeConfig(dir.path, { PathDirLogs: 'logs', PathDirResults: 'results' });
    registry = await writeRegistry(dir.path, [{ name: 'lister', image: TestImages.shell, cmd: 'ls -A /input > /result/result.txt' }]);
  });
  afterAll(async () => {
    await agent?.stop();
    await sshd?.stop();
    await dir?.remove();
  });

  /** A home directory whose ~/.ssh holds the given files (known_hosts, config, keys). */
  async function home(files: Record<string, string>): Promise<string> {
    const path = join(dir.path, `home-${++homes}`);
    await mkdir(join(path, '.ssh'), { recursive: true, mode: 0o700 });
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(path, '.ssh', name), content);
      await chmod(join(path, '.ssh', name), 0o600);
    }
    return path;
  }

  const knownHost = (key: string) => `[127.0.0.1]:${sshd.port} ${key}\n`;
  const url = () => `ssh://root@127.0.0.1:${sshd.port}`;

  async function scan(homeDir: string, env: NodeJS.ProcessEnv): Promise<{ run: PmtRun; report: ScanReportJson | undefined }> {
    const run = await runPmtWithHome(homeDir, ['scan', '-i', repo, '-r', registry, '-c', config, '-p', 'lister', '--json', '--no-cache', '--no-upload'], { cwd: dir.path, env: { ...baseEnv, ...env } });
    let report: ScanReportJson | undefined;
    try {
      report = JSON.parse(run.stdout) as ScanReportJson;
    } catch {
      report = undefined;
    }
    if (report) {
      // The engine behind sshd is this machine's: nothing of the run may be left on it.
      expect(await docker.listContainers({ all: true, filters: { label: [`pmt.run=${report.runId}`] } })).toEqual([]);
      expect((await docker.listVolumes({ filters: { label: [`pmt.run=${report.runId}`] } })).Volumes ?? []).toEqual([]);
    }
    return { run, report };
  }

  /** Every ssh session pmt opened has ended (pmt closes its connections before it exits). */
  async function expectNoSessionLeft(): Promise<void> {
    for (let waited = 0; sshd.sessionPids().length > 0 && waited < 5_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sshd.sessionPids()).toEqual([]);
  }

  it('a host key that matches known_hosts: pmt -v and a real scan work end to end over ssh://', async () => {
    const homeDir = await home({ known_hosts: knownHost(sshd.hostKey) });
    const env = { SSH_AUTH_SOCK: agent.socket };
    const logins = sshd.acceptedLogins();

    const version = await runPmtWithHome(homeDir, ['-v', '--docker-host', url()], { cwd: dir.path, env: { ...baseEnv, ...env } });
    expect(version.code).toBe(0);
    expect(version.stdout).toContain(`Docker engine ${inject('dockerVersion')} (API `);
    expect(version.stdout).toContain(`at ${url()}`);

    const { run, report } = await scan(homeDir, { ...env, DOCKER_HOST: url() });
    expect(run.code, run.stderr).toBe(0);
    expect(report?.plugins[0]).toMatchObject({ name: 'lister', status: 'succeeded', transport: 'archive' });
    expect((await readFile(report!.plugins[0]!.results[0]!.localPath, 'utf8')).split('\n').slice(0, 3)).toEqual(['LICENSE', 'README.md', 'src']);
    expect(sshd.acceptedLogins()).toBeGreaterThan(logins);
    await expectNoSessionLeft();
  });

  it('a host key that differs from known_hosts: a one-line refusal naming the cause and the remedy, exit 3, no login', async () => {
    const homeDir = await home({ known_hosts: knownHost(impostorKey) });
    const logins = sshd.acceptedLogins();

    const { run, report } = await scan(homeDir, { SSH_AUTH_SOCK: agent.socket, DOCKER_HOST: url() });
    expect(run.code).toBe(3);
    expect(report).toBeUndefined();
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('pmt: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^pmt: Docker engine error: ssh refused ssh://root@127\\.0\\.0\\.1:${sshd.port}: the host key of \\[127\\.0\\.0\\.1\\]:${sshd.port} has CHANGED since it was recorded in \\S+/\\.ssh/known_hosts:1 — someone may be intercepting`));
    expect(errors[0]).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}'`);
    expect(errors[0]).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1 >> ~/.ssh/known_hosts`);
    // No terminal art or raw CR from ssh's warning banner reaches the user.
    expect(run.stderr).not.toMatch(/@@@|\r/);

    const version = await runPmtWithHome(homeDir, ['-v', '--docker-host', url()], { cwd: dir.path, env: { ...baseEnv, SSH_AUTH_SOCK: agent.socket } });
    expect(version.stdout).toContain('Docker engine unreachable (ssh refused');
    // ssh stopped before logging in: the engine was never reached.
    expect(sshd.acceptedLogins()).toBe(logins);
    await expectNoSessionLeft();
  });

  it('a host key that is not in known_hosts: refused without a prompt, and nothing is added to known_hosts', async () => {
    const homeDir = await home({ known_hosts: '' });
    const logins = sshd.acceptedLogins();

    const { run } = await scan(homeDir, { SSH_AUTH_SOCK: agent.socket, DOCKER_HOST: url() });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`ssh refused ${url()}: the host key of [127.0.0.1]:${sshd.port} is not in known_hosts, and pmt never asks to accept one`);
    expect(run.stderr).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1 >> ~/.ssh/known_hosts`);
    expect(await readFile(join(homeDir, '.ssh', 'known_hosts'), 'utf8')).toBe('');
    expect(sshd.acceptedLogins()).toBe(logins);
  });

  it('an alias of ~/.ssh/config works as ssh://alias (HostName, Port, User, IdentityFile; ProxyJump through it too), without an agent', async () => {
    const homeDir = await home({
      known_hosts: knownHost(sshd.hostKey),
      pmt_test_key: await readFile(clientKey, 'utf8'),
      config: [
        'Host pmt-build-box',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        '  User root',
        '  IdentityFile ~/.ssh/pmt_test_key',
        '  IdentitiesOnly yes',
        'Host pmt-behind-jump',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        '  User root',
        '  IdentityFile ~/.ssh/pmt_test_key',
        '  ProxyJump pmt-build-box',
        '',
      ].join('\n'),
    });

    const { run, report } = await scan(homeDir, { DOCKER_HOST: 'ssh://pmt-build-box' });
    expect(run.code, run.stderr).toBe(0);
    expect(report?.plugins[0]).toMatchObject({ name: 'lister', status: 'succeeded', transport: 'archive' });
    expect(run.stderr).toContain('The engine at ssh://pmt-build-box is not on this machine');

    const jumped = await runPmtWithHome(homeDir, ['-v', '--docker-host', 'ssh://pmt-behind-jump'], { cwd: dir.path, env: baseEnv });
    expect(jumped.stdout).toContain(`Docker engine ${inject('dockerVersion')} (API `);
    expect(jumped.stdout).toContain('at ssh://pmt-behind-jump');
    await expectNoSessionLeft();
  });
});
