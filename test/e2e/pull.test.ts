import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { docker } from '../support/engine-state.js';
import { REPO_ROOT, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { runPmt } from '../support/run-pmt.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';
import { TestImages } from '../support/test-images.js';

describe('pmt pull on the real engine', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('leaves an image the engine already has alone', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'shell', image: TestImages.shell, cmd: 'true' },
      { name: 'curl', image: TestImages.curl, cmd: 'true' },
    ]);
    const run = await runPmt(['pull', '-r', registry, '-p', 'shell'], { cwd: dir.path });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^debian:bookworm-slim: already present \([0-9a-f]{12}\)$/m);
    expect(run.stdout).not.toContain(TestImages.curl);
    expect(run.stdout).toContain('1 already present, 0 pulled, 0 failed');
    expect(run.stderr).toBe('');
  });

  it('never pulls the image of a plugin built from a local directory; it says how to build it', async () => {
    const run = await runPmt(['pull', '-r', join(REPO_ROOT, 'plugins.yaml'), '-p', 'scancode'], { cwd: dir.path });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`pmt/scancode:32.5.0: not pulled, built locally — build it with \`pmt build -p scancode -r ${join(REPO_ROOT, 'plugins.yaml')}\``);
    expect(run.stdout).not.toContain('pulling');
    expect(run.stdout).toContain('0 already present, 0 pulled, 0 failed, 1 to build locally');
  });

  it('exits 1 naming an image that cannot be pulled, with the engine\'s reason and a hint, and pulls the rest', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'ghost', image: 'localhost:1/pmt-test/nope:1', cmd: 'true' },
      { name: 'shell', image: TestImages.shell, cmd: 'true' },
    ]);
    const run = await runPmt(['pull', '-r', registry], { cwd: dir.path });
    expect(run.code).toBe(1);
    const [line, ...rest] = run.stderr.trim().split('\n');
    expect(rest).toEqual([]);
    expect(line).toMatch(/^pmt: could not pull localhost:1\/pmt-test\/nope:1 \(plugin ghost; credentials: anonymous\): .*connection refused.* — check the docker_image of plugin "ghost"/);
    expect(run.stdout).toContain('localhost:1/pmt-test/nope:1: pulling (credentials: anonymous)\n');
    expect(run.stdout).toContain('debian:bookworm-slim: already present');
    expect(run.stdout).toContain('1 already present, 0 pulled, 1 failed');
  });

  it('refuses an unknown plugin name with exit 2', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'shell', image: TestImages.shell, cmd: 'true' }]);
    const run = await runPmt(['pull', '-r', registry, '-p', 'nope'], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown plugin "nope"');
  });
});

describe('pmt pull and doctor against a real registry on loopback that wants a login', () => {
  const USER = 'pmt-user';
  const PASS = 'pmt-secret-9f2c';
  let dir: { path: string; remove: () => Promise<void> };
  let registry: TestRegistry;
  let image: string;
  beforeEach(async () => {
    dir = await tempDir();
    registry = await startTestRegistry(USER, PASS);
    image = await registry.pushTinyImage('pmt-test/tiny', '1');
  });
  afterEach(async () => {
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
    await registry.close();
    await dir.remove();
  });

  it('pulls with the configured credentials, shows progress on a terminal, and never prints the password', async () => {
    const plugins = await writeRegistry(dir.path, [{ name: 'tiny', image, cmd: 'true' }]);
    const config = await writeConfig(dir.path, { RemoteRepoUser: USER, RemoteRepoPass: PASS });

    const run = await runPmt(['pull', '-r', plugins, '-c', config], { cwd: dir.path, terminal: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${image}: pulling (credentials: RemoteRepoUser/RemoteRepoPass)`);
    expect(run.stdout).toMatch(/\r\u001b\[2K\S+: \d+% of \d+(\.\d)? MiB \(downloading\)/);
    expect(run.stdout).toMatch(new RegExp(`\\r\\u001b\\[2K${escape(image)}: pulled \\([0-9a-f]{12}\\)\\n`));
    expect(`${run.stdout}${run.stderr}`).not.toContain(PASS);
    // The real registry saw the login and served the layer once (the counter the doctor test relies on).
    expect(await registry.activity()).toEqual({ authorized: expect.any(Number), layerDownloads: 1 });
    expect((await registry.activity()).authorized).toBeGreaterThan(0);
    await expect(docker.getImage(image).inspect()).resolves.toBeDefined();

    const again = await runPmt(['pull', '-r', plugins, '-c', config], { cwd: dir.path });
    expect(again.stdout).toContain(`${image}: already present`);
  });

  it('fails without credentials, and doctor tells pullable from not pullable without pulling', async () => {
    const plugins = await writeRegistry(dir.path, [{ name: 'tiny', image, cmd: 'true' }]);
    const anonymous = await runPmt(['pull', '-r', plugins], { cwd: dir.path });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain(`could not pull ${image} (plugin tiny; credentials: anonymous)`);

    const withLogin = await runPmt(['doctor', '--json', '-r', plugins, '-c', await writeConfig(dir.path, { RemoteRepoUser: USER, RemoteRepoPass: PASS })], { cwd: dir.path });
    expect(withLogin.code).toBe(0);
    const finding = (JSON.parse(withLogin.stdout) as { findings: { check: string; status: string; message: string }[] }).findings.find((f) => f.check === 'image');
    expect(finding).toMatchObject({ status: 'warn', message: `${image} not present; its registry has it, so it will be pulled on first use` });
    expect(withLogin.stdout).not.toContain(PASS);

    const noLogin = await runPmt(['doctor', '--json', '-r', plugins, '-c', await writeConfig(dir.path, {})], { cwd: dir.path });
    expect(noLogin.code).toBe(1);
    expect(noLogin.stdout).toContain(`${image} not present and not pullable`);
    // Doctor only asked: the engine still lacks the image and its layer was never fetched.
    await expect(docker.getImage(image).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await registry.activity()).layerDownloads).toBe(0);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
