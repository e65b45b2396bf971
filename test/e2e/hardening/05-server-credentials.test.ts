import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakePmtServer } from '../../support/fake-pmt-server.js';
import { tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';
import { freeLoopbackPort } from '../../support/free-port.js';

const PASSWORD = 'S3cret-pw';

/** `http://alice:S3cret-pw@127.0.0.1:port/…` and how pmt may show it. */
function withCredentials(url: string): { url: string; shown: string } {
  return { url: url.replace('http://', `http://alice:${PASSWORD}@`), shown: url.replace('http://', 'http://alice:****@') };
}

describe('issue 10 item 5: the password of a PMT server URL is used for Basic auth and masked wherever pmt prints it', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: string;
  let server: FakePmtServer;
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-05-');
    repo = join(dir.path, 'repo');
    await writeTree(repo, { LICENSE: 'MIT' });
    registry = await writeRegistry(dir.path, [{ name: 'creds-05', image: TestImages.shell, cmd: 'ls /input > /result/result.txt' }], 'creds-05');
    server = new FakePmtServer();
    await server.start();
  });
  afterEach(async () => {
    await server.close();
    await dir.remove();
  });

  it('--server and PMT_SERVER_URL: uploads authenticate, and neither logs (text or JSON), progress, the summary nor --json show the password', async () => {
    const { url, shown } = withCredentials(server.url);
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    const flag = await scanJson(['-i', repo, '-r', registry, '-c', config, '--server', url, '--log-format', 'text', '--progress', 'plain'], { cwd: dir.path });
    expect(flag.code).toBe(0);
    expect(server.uploads[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    expect(flag.report.server?.url).toBe(shown);
    expect(flag.stderr).toContain(`PMT server at ${shown} is up`);
    expect(JSON.stringify(flag.report)).not.toContain(PASSWORD);
    expect(flag.stderr).not.toContain(PASSWORD);

    const env = await runPmt(['scan', '-i', repo, '-r', registry, '-c', config, '--no-cache', '--log-format', 'json'], { cwd: dir.path, env: { PMT_SERVER_URL: url } });
    expect(env.code).toBe(0);
    expect(server.uploads).toHaveLength(2);
    expect(env.stdout).toContain('upload creds-05/result.txt to creds-05: uploaded');
    expect(env.stderr).toContain(shown);
    expect(env.stdout + env.stderr).not.toContain(PASSWORD);
  });

  it('an unreachable server is reported with the password masked', async () => {
    const { url, shown } = withCredentials(`http://127.0.0.1:${await freeLoopbackPort()}`);
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    const { code, report, stderr } = await scanJson(['-i', repo, '-r', registry, '-c', config, '--server', url, '--log-format', 'text'], { cwd: dir.path });
    expect(code).toBe(4);
    expect(report.server?.reason).toContain(`connection refused at ${shown}/api/v1/health`);
    expect(report.plugins[0]?.uploads[0]?.message).toContain(shown);
    expect(JSON.stringify(report) + stderr).not.toContain(PASSWORD);
  });

  it('pmt validate, --dry-run, doctor and error messages (with --debug stacks) mask it too', async () => {
    const { url, shown } = withCredentials(server.url);
    const config = await writeConfig(dir.path, { ServerUrl: url });
    const text = await runPmt(['validate', '-r', registry, '-c', config], { cwd: dir.path });
    expect(text.stdout).toContain(`ServerUrl: "${shown}"`);
    const json = await runPmt(['validate', '-r', registry, '-c', config, '--json'], { cwd: dir.path });
    expect((JSON.parse(json.stdout) as { config: { ServerUrl: string } }).config.ServerUrl).toBe(shown);

    const plan = await runPmt(['scan', '-i', repo, '-r', registry, '-c', config, '--dry-run'], { cwd: dir.path });
    expect(plan.stdout).toContain(`PMT server: ${shown}`);
    const planJson = await runPmt(['scan', '-i', repo, '-r', registry, '-c', config, '--dry-run', '--json'], { cwd: dir.path });
    expect((JSON.parse(planJson.stdout) as { server: string }).server).toBe(shown);

    const badFlag = await runPmt(['scan', '-i', repo, '-r', registry, '--server', `${url}?x=1`, '--debug'], { cwd: dir.path });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain(`"${shown}?x=1" must be a base URL without "?query" or "#fragment"`);
    const badEnv = await runPmt(['doctor', '-r', registry, '--json'], { cwd: dir.path, env: { PMT_SERVER_URL: url.replace('http', 'ftp') } });
    expect(badEnv.stdout).toContain(`environment variable PMT_SERVER_URL: \\"${shown.replace('http', 'ftp')}\\" must be an http:// or https:// URL`);

    const everything = [text, json, plan, planJson, badFlag, badEnv].map((run) => run.stdout + run.stderr).join('\n');
    expect(everything).not.toContain(PASSWORD);
  });
});
