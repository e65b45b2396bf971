import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PMT_VERSION, CORE_ENGINE_VERSION } from '../../src/version.js';
import { REPO_ROOT, tempDir } from '../support/fixtures.js';
import { runPmt, spawnPmt } from '../support/run-pmt.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

describe('pmt -l, -v, validate and --help as a user runs them', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('pmt -l lists the bundled registry with image status and the default marked', async () => {
    const run = await spawnPmt(['-l'], { cwd: REPO_ROOT }).result;
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PLUGIN\s+VERSION\s+IMAGE\s+IMAGE STATUS$/);
    expect(lines.find((l) => l.startsWith('licensee *'))).toMatch(/pmt\/licensee:\S+\s+present$/);
    expect(lines.find((l) => l.startsWith('scancode '))).toMatch(/not built$/);
    expect(lines.at(-2)).toBe('* default plugin');
    expect(lines.at(-1)).toBe(`Registry: ${join(REPO_ROOT, 'plugins.yaml')} (working directory)`);
  });

  it.each(['original-plugins.yaml', 'original-plugins.json'])('loads and lists the original PMT client registry %s unchanged', async (name) => {
    const run = await runPmt(['list', '-r', fixture(`registry/${name}`), '--json'], { cwd: dir.path });
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout) as { plugins: { name: string; default: boolean }[] };
    expect(listed.plugins.map((p) => p.name)).toEqual(['Licensee', 'Scancode', 'Composer', 'File-Hasher']);
    expect(listed.plugins.filter((p) => p.default).map((p) => p.name)).toEqual(['Licensee']);
  });

  it('pmt validate on a broken registry prints every problem as file:line:col and exits 2', async () => {
    const broken = fixture('registry/broken.yaml');
    const run = await runPmt(['validate', '-r', broken], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const problems = run.stderr.split('\n').filter((l) => l.startsWith('pmt: config error: '));
    expect(problems.length).toBeGreaterThanOrEqual(6);
    for (const line of problems) expect(line).toMatch(new RegExp(`^pmt: config error: ${broken}:\\d+:\\d+: `));
    expect(run.stderr).toContain('unknown key "dockerimage" — did you mean "docker_image"?');
    expect(run.stderr).not.toContain('    at ');
  });

  it('pmt validate reports a broken config and an incompatible core_version, secrets never shown', async () => {
    await writeFile(join(dir.path, 'core_engine_config.json'), JSON.stringify({ RestApi: 'yes', RemoteRepoPass: 'hunter2' }));
    const bad = await runPmt(['validate', '-r', join(REPO_ROOT, 'plugins.yaml')], { cwd: dir.path });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/core_engine_config\.json:1:\d+: RestApi: /);

    await writeFile(join(dir.path, 'core_engine_config.json'), JSON.stringify({ RemoteRepoPass: 'hunter2' }));
    const good = await runPmt(['validate', '-r', join(REPO_ROOT, 'plugins.yaml')], { cwd: dir.path });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('RemoteRepoPass: "****"');
    expect(good.stdout + good.stderr).not.toContain('hunter2');

    const future = join(dir.path, 'future.yaml');
    await writeFile(future, 'version: R1.0\nplugins:\n  - {name: next, version: "2", core_version: ">=2", docker_image: x/y:1, shell: /bin/sh, cmd: "true", results: [r.txt]}\n');
    const refused = await runPmt(['validate', '-r', future], { cwd: dir.path });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`needs core engine >=2, but this pmt has core engine ${CORE_ENGINE_VERSION}`);
  });

  it('pmt -v names pmt, the core engine and the Docker engine', async () => {
    const run = await runPmt(['-v'], { cwd: dir.path });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^pmt ${PMT_VERSION}\\ncore engine ${CORE_ENGINE_VERSION}\\nDocker engine \\S+ \\(API [\\d.]+\\) at unix://`));
  });

  it('a wrong flag is a usage error with exit 2; --help documents every command and the exit codes', async () => {
    const wrong = await runPmt(['scan', '--frobnicate'], { cwd: dir.path });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("unknown option '--frobnicate'");
    const help = await runPmt(['--help'], { cwd: dir.path });
    expect(help.code).toBe(0);
    for (const command of ['scan', 'list', 'validate', 'version', 'doctor', 'pull', 'cache', 'verify', 'keygen']) expect(help.stdout).toContain(command);
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 a plugin failed (verify: a check failed), 2 usage or config error, 3 Docker engine unreachable, 4 an upload');
  });

  it('an unreachable engine exits 3 with a hint, from the built CLI', async () => {
    const run = await spawnPmt(['scan', '-i', '.', '-r', join(REPO_ROOT, 'plugins.yaml')], { cwd: dir.path, env: { DOCKER_HOST: `unix://${dir.path}/no-engine.sock` } }).result;
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`no Docker engine answers at unix://${dir.path}/no-engine.sock`);
    expect(run.stderr).toContain('start a Docker engine');
  });

  it('pmt -l without an engine still lists the registry; an engine it cannot name is an error, said after the registry\'s', async () => {
    // The built CLI: `-l` asks the engine while it reads the registry (src/cli/actions/list.ts).
    const registry = join(REPO_ROOT, 'plugins.yaml');
    const unreachable = await spawnPmt(['-l', '-r', registry], { cwd: dir.path, env: { DOCKER_HOST: `unix://${dir.path}/no-engine.sock` } }).result;
    expect(unreachable.code).toBe(0);
    expect(unreachable.stdout).toMatch(/^licensee \*\s+\S+\s+pmt\/licensee:\S+\s+engine unreachable$/m);
    const unnamed = await spawnPmt(['-l', '-r', registry, '--docker-host', 'http://127.0.0.1:2375'], { cwd: dir.path }).result;
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('--docker-host: "http://127.0.0.1:2375" the scheme http:// is not supported');
    const both = await spawnPmt(['-l', '-r', join(dir.path, 'missing.yaml'), '--docker-host', 'http://127.0.0.1:2375'], { cwd: dir.path }).result;
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`${join(dir.path, 'missing.yaml')}: cannot read the registry file`);
    expect(both.stderr).not.toContain('--docker-host');
  });

  it('the bundled CLI reaches an ssh:// engine through the system ssh, without deprecation noise', async () => {
    // OpenSSH's banner, not ssh2's: docker-modem's ssh client is not in the bundle (scripts/bundle.mjs).
    const banners: string[] = [];
    const listener = createServer((socket) => socket.once('data', (data: Buffer) => banners.push(data.toString('latin1')) && socket.destroy()));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as AddressInfo;
    try {
      const run = await spawnPmt(['doctor', '--docker-host', `ssh://pmt@127.0.0.1:${port}`], { cwd: REPO_ROOT }).result;
      expect(banners[0]).toMatch(/^SSH-2\.0-OpenSSH/);
      expect(run.stdout).toMatch(/^FAIL engine\s+ssh could not reach ssh:\/\/pmt@127\.0\.0\.1:\d+/m);
      expect(run.stderr).not.toContain('DeprecationWarning');
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});
