import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../../src/docker/docker-runtime.js';
import { publishImage } from '../../src/push/publish-image.js';
import { docker } from '../support/engine-state.js';
import { tempDir, writeConfig } from '../support/fixtures.js';
import { runPmt } from '../support/run-pmt.js';
import { importTinyImage, startTestRegistry, type TestRegistry } from '../support/test-registry.js';
import { TestImages } from '../support/test-images.js';

const USER = 'pmt-pusher';
const PASS = 'pmt-push-secret-41d7';

describe('pmt push to a real registry on loopback that wants a login', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let registry: TestRegistry;
  let image: string;
  let target: string;
  let plugins: string;
  let config: string;
  beforeEach(async () => {
    dir = await tempDir();
    registry = await startTestRegistry(USER, PASS);
    const repository = `pmt-test/push-${randomBytes(4).toString('hex')}`;
    image = `${repository}:1.0`;
    target = `${registry.host}/${repository}:1.0`;
    await importTinyImage(image);
    // An entry as a bundled one is written: built from a directory, `version: 1.0` read as a number.
    await mkdir(join(dir.path, 'tiny'));
    await writeFile(join(dir.path, 'tiny', 'Dockerfile'), 'FROM scratch\n');
    plugins = join(dir.path, 'plugins.yaml');
    await writeFile(
      plugins,
      [
        'version: R1.0',
        'plugins:',
        `  - { name: tiny, version: 1.0, dockerimg: "${image}", build: tiny, shell: /bin/sh, cmd: "true", results: [r.txt], timeout: 90s }`,
        `  - { name: other, version: "2", docker_image: "${TestImages.shell}", shell: /bin/sh, cmd: "true", results: [r.txt] }`,
        '',
      ].join('\n'),
    );
    config = await writeConfig(dir.path, { RemoteRepoUser: USER, RemoteRepoPass: PASS });
  });
  afterEach(async () => {
    for (const reference of [image, target]) await docker.getImage(reference).remove({ noprune: false }).catch(() => undefined);
    await registry.close();
    await dir.remove();
  });

  it('pushes under the registry host with the login, prints digest and entries, removes its tag, and writes a registry that pull uses', async () => {
    const before = (await docker.getImage(image).inspect()).RepoTags;
    const written = join(dir.path, 'swarm', 'plugins.yaml');
    await mkdir(join(dir.path, 'swarm'));
    const run = await runPmt(['push', registry.host, '-r', plugins, '-c', config, '-p', 'tiny', '--write-registry', written], { cwd: dir.path, terminal: true });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${target}: pushing ${image} (credentials: RemoteRepoUser/RemoteRepoPass)`);
    expect(run.stdout).toMatch(/\r\u001b\[2K\S+: \d+% of \d+(\.\d)? MiB \(pushing\)/);
    const digest = /pushed, digest (sha256:[0-9a-f]{64}) \(plugin tiny\)\n/.exec(run.stdout)?.[1];
    // The digest is the registry's own for that tag.
    expect(digest).toBe(await manifestDigest(registry.host, target));
    expect(run.stdout).toContain('1 pushed, 0 failed\n');
    expect(run.stdout).toContain(`  tiny  docker_image: ${target}\n`);
    expect(run.stdout).toContain(`Wrote ${written}`);
    expect(`${run.stdout}${run.stderr}`).not.toContain(PASS);

    // The engine's tags are as before: the push tag is gone, the image is not.
    await expect(docker.getImage(target).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await docker.getImage(image).inspect()).RepoTags).toEqual(before);

    // The written registry extends the one read and replaces the entry: pushed image, no build, every other key kept.
    const text = await readFile(written, 'utf8');
    expect(text).toContain('extends: ../plugins.yaml');
    expect(text).not.toContain('build');
    const listed = await runPmt(['-l', '--json', '-r', written], { cwd: dir.path });
    expect(listed.code).toBe(0);
    const entries = (JSON.parse(listed.stdout) as { plugins: { name: string; version: string; image: string; origin: string }[] }).plugins;
    expect(entries.map((p) => [p.name, p.version, p.image])).toEqual([
      ['tiny', '1.0', target],
      ['other', '2', TestImages.shell],
    ]);
    // …and pull fetches the pushed image by it from the registry.
    const pulled = await runPmt(['pull', '-r', written, '-c', config, '-p', 'tiny'], { cwd: dir.path });
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain(`${target}: pulled`);
  });

  it('fails clearly with a wrong login, an image the engine lacks and a tag it gives back; exits 1', async () => {
    // A tag of the target name that names another image before the push names it again after.
    await docker.getImage(TestImages.shell).tag({ repo: target.slice(0, target.lastIndexOf(':')), tag: '1.0' });
    const shellId = (await docker.getImage(TestImages.shell).inspect()).Id;
    const missing = `pmt-test/push-missing-${randomBytes(4).toString('hex')}:1`;
    await writeFile(plugins, (await readFile(plugins, 'utf8')).replace(`"${TestImages.shell}"`, `"${missing}"`));
    const wrong = await writeConfig(dir.path, { RemoteRepoUser: USER, RemoteRepoPass: 'wrong' });

    const run = await runPmt(['push', registry.host, '-r', plugins, '-c', wrong], { cwd: dir.path });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^pmt: could not push ${escape(image)} as ${escape(target)} \\(plugin tiny; credentials: RemoteRepoUser/RemoteRepoPass\\): Docker engine( at \\S+)? could not push image .*(unauthorized|authentication required).* — check that`));
    expect(lines[1]).toBe(`pmt: cannot push ${missing} (plugin other): this Docker engine does not have it — pull it first (pmt pull -p other)`);
    expect(run.stdout).toContain('0 pushed, 2 failed\n');
    expect(run.stdout).not.toContain('docker_image:');
    expect((await docker.getImage(target).inspect()).Id).toBe(shellId);
    await docker.getImage(target).remove({ noprune: true });
  });

  it('refuses a registry given as a URL, and a --write-registry that is the registry read', async () => {
    const url = await runPmt(['push', `http://${registry.host}`, '-r', plugins], { cwd: dir.path });
    expect(url.code).toBe(2);
    expect(url.stderr).toContain(`the registry "http://${registry.host}" has a scheme`);
    const self = await runPmt(['push', registry.host, '-r', plugins, '--write-registry', plugins], { cwd: dir.path });
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('is the registry this push reads');
  });
});

/** The registry's digest of a tag's manifest (what a pull by digest names). */
async function manifestDigest(host: string, reference: string): Promise<string | null> {
  const [repository, tag] = [reference.slice(host.length + 1, reference.lastIndexOf(':')), reference.slice(reference.lastIndexOf(':') + 1)];
  const answer = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  return answer.headers.get('docker-content-digest');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('publishImage on the real engine', () => {
  it('removes its extra tag when the push is cancelled mid-way (Ctrl-C)', async () => {
    const registry = await startTestRegistry(USER, PASS);
    const image = `pmt-test/push-abort-${randomBytes(4).toString('hex')}:1`;
    const target = `${registry.host}/${image}`;
    await importTinyImage(image);
    try {
      const controller = new AbortController();
      let events = 0;
      const push = publishImage(new DockerRuntime(docker), {
        image,
        target,
        auth: { username: USER, password: PASS, serveraddress: registry.host },
        signal: controller.signal,
        onProgress: () => {
          events++;
          controller.abort('SIGINT');
        },
      });
      await expect(push).rejects.toBe('SIGINT');
      expect(events).toBeGreaterThan(0);
      await expect(docker.getImage(target).inspect()).rejects.toMatchObject({ statusCode: 404 });
      await expect(docker.getImage(image).inspect()).resolves.toBeDefined();
    } finally {
      await docker.getImage(image).remove().catch(() => undefined);
      await registry.close();
    }
  });
});
