import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/program.js';
import { docker } from '../support/engine-state.js';
import { REPO_ROOT, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { runPmt } from '../support/run-pmt.js';
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

describe('pmt pull and doctor against a registry on loopback that wants a login', () => {
  const USER = 'pmt-user';
  const PASS = 'pmt-secret-9f2c';
  let dir: { path: string; remove: () => Promise<void> };
  let registry: FakeRegistry;
  let image: string;
  beforeEach(async () => {
    dir = await tempDir();
    registry = await startFakeRegistry(USER, PASS);
    image = `${registry.host}/pmt-test/tiny:1`;
  });
  afterEach(async () => {
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
    await registry.close();
    await dir.remove();
  });

  it('pulls with the configured credentials, shows progress on a terminal, and never prints the password', async () => {
    const plugins = await writeRegistry(dir.path, [{ name: 'tiny', image, cmd: 'true' }]);
    const config = await writeConfig(dir.path, { RemoteRepoUser: USER, RemoteRepoPass: PASS });

    const run = await runTerminalPmt(['pull', '-r', plugins, '-c', config], dir.path);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${image}: pulling (credentials: RemoteRepoUser/RemoteRepoPass)`);
    expect(run.stdout).toMatch(/\r\u001b\[2K\S+: \d+% of \d+(\.\d)? MiB \(downloading\)/);
    expect(run.stdout).toMatch(new RegExp(`\\r\\u001b\\[2K${escape(image)}: pulled \\([0-9a-f]{12}\\)\\n`));
    expect(`${run.stdout}${run.stderr}`).not.toContain(PASS);
    expect(registry.authorized).toBeGreaterThan(0);
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
    expect(registry.layerRequests).toBe(0);
  });
});

/** pmt in this process with a stdout that says it is a terminal. */
async function runTerminalPmt(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = Object.assign(new PassThrough(), { isTTY: true });
  const err = new PassThrough();
  const chunks: [Buffer[], Buffer[]] = [[], []];
  out.on('data', (c: Buffer) => chunks[0].push(c));
  err.on('data', (c: Buffer) => chunks[1].push(c));
  const io: CliIO = { stdout: out, stderr: err, env: { ...process.env }, cwd, onSignal: () => () => undefined };
  const code = await runCli(args, io);
  return { code, stdout: Buffer.concat(chunks[0]).toString(), stderr: Buffer.concat(chunks[1]).toString() };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

interface FakeRegistry {
  /** `127.0.0.1:PORT`: the engine trusts plain HTTP on loopback. */
  host: string;
  /** Requests that carried the right login. */
  authorized: number;
  /** Downloads of the image's layer (the engine may read the small config blob to learn the platform). */
  layerRequests: number;
  close(): Promise<void>;
}

/**
 * A registry (Docker Registry HTTP API v2) serving one image, `pmt-test/tiny:1`, behind HTTP Basic
 * auth. Its single layer is 2 MiB of random bytes, so the engine reports download progress.
 */
async function startFakeRegistry(user: string, pass: string): Promise<FakeRegistry> {
  const layerTar = await tarOf('payload.bin', randomBytes(2 * 1024 * 1024));
  const layer = gzipSync(layerTar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
      os: 'linux',
      config: { Cmd: ['/payload.bin'] },
      rootfs: { type: 'layers', diff_ids: [digest(layerTar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: digest(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: digest(layer) }],
    }),
  );
  const blobs = new Map([
    [digest(config), config],
    [digest(layer), layer],
  ]);
  const login = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  const state = { authorized: 0, layerRequests: 0 };

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (req.headers.authorization !== login) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="pmt-test"', 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    state.authorized++;
    const send = (body: Buffer, type: string, extra: Record<string, string> = {}): void => {
      res.writeHead(200, { 'content-type': type, 'content-length': String(body.length), 'docker-content-digest': digest(body), ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path === '/v2/') return send(Buffer.from('{}'), 'application/json');
    const manifestMatch = /^\/v2\/pmt-test\/tiny\/manifests\/(.+)$/.exec(path);
    if (manifestMatch && (manifestMatch[1] === '1' || manifestMatch[1] === digest(manifest))) {
      return send(manifest, 'application/vnd.docker.distribution.manifest.v2+json');
    }
    const blob = /^\/v2\/pmt-test\/tiny\/blobs\/(.+)$/.exec(path)?.[1];
    const body = blob === undefined ? undefined : blobs.get(blob);
    if (body) {
      if (body === layer) state.layerRequests++;
      return send(body, 'application/octet-stream');
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    get authorized() {
      return state.authorized;
    },
    get layerRequests() {
      return state.layerRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function tarOf(name: string, content: Buffer): Promise<Buffer> {
  const tar = pack();
  tar.entry({ name, mode: 0o755 }, content);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
