import { randomBytes } from 'node:crypto';
import { chmod, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectDocker } from '../../../src/docker/connect-docker.js';
import type { ContainerSpec, PluginContainer } from '../../../src/docker/container-runtime.js';
import type { DockerRuntime } from '../../../src/docker/docker-runtime.js';
import { packInput } from '../../../src/docker/input-archive.js';
import { createInputVolume } from '../../../src/docker/input-volume.js';
import { containersWithLabels } from '../../support/engine-state.js';
import { tempDir, writeTree } from '../../support/fixtures.js';
import { REMOTE_DOCKER_HOST, ensureRemoteEngine, remoteDocker, remoteLeftovers } from '../../support/remote-engine.js';
import { TEST_LABEL, TestImages } from '../../support/test-images.js';
import { tarEntries } from './tar-entries.js';

/**
 * Against the second dockerd (loopback TCP, its own data root): the input travels as a tar stream
 * into a volume that the plugin container mounts read-only, results come back by archive copy, and
 * nothing is left on the engine.
 */
describe('input shipping to a remote engine', () => {
  let runtime: DockerRuntime;
  let dir: { path: string; remove: () => Promise<void> };
  let input: string;
  let session: string;
  const started: string[] = [];
  const volumes: string[] = [];

  beforeAll(async () => {
    await ensureRemoteEngine();
    runtime = connectDocker({ dockerHost: REMOTE_DOCKER_HOST, env: process.env });
  });
  beforeEach(async () => {
    session = randomBytes(4).toString('hex');
    dir = await tempDir('pmt-remote-');
    input = join(dir.path, 'input');
    await writeTree(input, { LICENSE: 'MIT License\n', 'src/main.c': '// SPDX-License-Identifier: MIT\n', 'bin/scan.sh': '#!/bin/sh\necho scanned\n' });
    await chmod(join(input, 'bin/scan.sh'), 0o755);
    await symlink('LICENSE', join(input, 'COPYING'));
    await mkdir(join(input, 'empty'));
  });
  afterEach(async () => {
    for (const id of started.splice(0)) await runtime.removeContainer(id);
    for (const name of volumes.splice(0)) await runtime.removeVolume(name);
    // Whatever a test did, the engine keeps nothing of it.
    expect(await remoteLeftovers(`${TEST_LABEL}=${session}`)).toEqual({ containers: [], volumes: [] });
    await dir.remove();
  });
  afterAll(async () => {
    expect(await remoteLeftovers(TEST_LABEL)).toEqual({ containers: [], volumes: [] });
  });

  const labels = (): Record<string, string> => ({ [TEST_LABEL]: session });
  async function start(spec: Partial<ContainerSpec>): Promise<PluginContainer> {
    const container = await runtime.startContainer({
      image: TestImages.shell,
      command: ['/bin/sh'],
      labels: labels(),
      binds: [],
      volumes: ['/result'],
      env: {},
      networkMode: 'none',
      limits: { memoryBytes: 256 * 1024 * 1024, cpus: 0, pids: 64 },
      user: undefined,
      readOnlyRootfs: false,
      ...spec,
    });
    started.push(container.id);
    return container;
  }
  const sh = (container: PluginContainer, script: string) => container.exec(['/bin/sh', '-c', script]);

  it('reaches the second engine over loopback TCP, as a remote one with its own data root', async () => {
    expect(await runtime.ping()).toEqual({ endpoint: REMOTE_DOCKER_HOST, local: false });
    const info = await runtime.describe();
    expect(info).toMatchObject({ endpoint: REMOTE_DOCKER_HOST, local: false, apiVersion: expect.stringMatching(/^1\.\d+$/) });
    const remoteRoot = ((await remoteDocker().info()) as { DockerRootDir: string }).DockerRootDir;
    expect(remoteRoot).not.toBe('/var/lib/docker');
    expect((await connectDocker({ dockerHost: REMOTE_DOCKER_HOST, env: { PMT_ENGINE_LOCAL: '1' } }).ping()).local).toBe(true);
  });

  it('ships the input into a volume the plugin mounts read-only: contents, modes, owners and symlinks arrive as they are', async () => {
    const volume = await createInputVolume(runtime, { dir: input, image: TestImages.shell, shell: '/bin/sh', labels: labels(), respectGitignore: false });
    volumes.push(volume.name);
    await volume.release();
    expect(volume.summary).toMatchObject({ files: 3, directories: 3, symlinks: 1, skippedCount: 0 });
    const container = await start({ binds: [{ hostPath: volume.name, containerPath: '/input', readOnly: true }], readOnlyRootfs: true });

    expect(await sh(container, 'cat /input/LICENSE /input/COPYING /input/src/main.c && /input/bin/scan.sh')).toMatchObject({
      exitCode: 0,
      stdout: 'MIT License\nMIT License\n// SPDX-License-Identifier: MIT\nscanned\n',
    });
    const listing = await sh(container, "cd /input && stat -c '%n %A %u:%g' LICENSE COPYING src src/main.c bin/scan.sh empty && readlink COPYING");
    expect(listing.stdout.split('\n')).toEqual([
      'LICENSE -rw-r--r-- 0:0',
      'COPYING lrwxrwxrwx 0:0',
      'src drwxr-xr-x 0:0',
      'src/main.c -rw-r--r-- 0:0',
      'bin/scan.sh -rwxr-xr-x 0:0',
      'empty drwxr-xr-x 0:0',
      'LICENSE',
      '',
    ]);
  });

  it('keeps the input unchangeable for a plugin running as root without capabilities', async () => {
    const volume = await createInputVolume(runtime, { dir: input, image: TestImages.shell, shell: '/bin/sh', labels: labels(), respectGitignore: false });
    volumes.push(volume.name);
    await volume.release();
    const container = await start({ binds: [{ hostPath: volume.name, containerPath: '/input', readOnly: true }] });

    expect((await sh(container, 'id -u && grep CapEff /proc/self/status')).stdout).toMatch(/^0\nCapEff:\s+0{16}\n$/);
    for (const attempt of ['echo x > /input/LICENSE', 'touch /input/new', 'chmod 666 /input/LICENSE', 'rm /input/LICENSE', 'mv /input/src /input/s2', 'chmod 777 /input']) {
      const result = await sh(container, attempt);
      expect(result.exitCode, attempt).not.toBe(0);
      expect(result.stderr, attempt).toContain('Read-only file system');
    }
    expect((await sh(container, 'cat /input/LICENSE')).stdout).toBe('MIT License\n');
  });

  it('why a read-only mount: modes alone do not stop root without capabilities, who owns the files', async () => {
    // The tempting alternative — an anonymous /input volume filled by putArchive — is modifiable.
    const container = await start({ volumes: ['/input', '/result'] });
    await chmod(join(input, 'LICENSE'), 0o444);
    await container.putArchive('/input', (await packInput(input, { respectGitignore: false })).stream);
    expect((await sh(container, "stat -c '%A' /input/LICENSE /input")).stdout).toBe('-r--r--r--\ndrwxr-xr-x\n');

    const tampering = await sh(container, 'chmod u+w /input/LICENSE && echo tampered > /input/LICENSE && touch /input/new && cat /input/LICENSE');
    expect(tampering).toMatchObject({ exitCode: 0, stdout: 'tampered\n' });
  });

  it('copies a result back out by archive, and removes container and volume without leftovers', async () => {
    const volume = await createInputVolume(runtime, { dir: input, image: TestImages.shell, shell: '/bin/sh', labels: labels(), respectGitignore: false });
    volumes.push(volume.name);
    await volume.release();
    const container = await runtime.startContainer({
      image: TestImages.shell,
      command: ['/bin/sh'],
      labels: labels(),
      binds: [{ hostPath: volume.name, containerPath: '/input', readOnly: true }],
      volumes: ['/result'],
      env: {},
      networkMode: 'none',
      limits: { memoryBytes: 256 * 1024 * 1024, cpus: 0, pids: 64 },
      user: undefined,
      readOnlyRootfs: true,
    });
    started.push(container.id);
    expect((await sh(container, 'ls /input > /result/result.txt')).exitCode).toBe(0);

    const entries = await tarEntries(await container.getArchive('/result/result.txt'));
    expect(entries['result.txt']?.content).toBe('COPYING\nLICENSE\nbin\nempty\nsrc\n');

    await runtime.removeContainer(container.id);
    await runtime.removeVolume(volume.name);
    expect(await remoteLeftovers(`${TEST_LABEL}=${session}`)).toEqual({ containers: [], volumes: [] });
    // Nothing of it ran on the main engine either.
    expect(await containersWithLabels(`${TEST_LABEL}=${session}`)).toEqual([]);
  });

  it('ships only what git does not ignore when asked', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    await writeTree(input, { '.gitignore': '*.log\n', 'debug.log': 'ignored' });
    await promisify(execFile)('git', ['init', '-q'], { cwd: input });
    const volume = await createInputVolume(runtime, { dir: input, image: TestImages.shell, shell: '/bin/sh', labels: labels(), respectGitignore: true });
    volumes.push(volume.name);
    await volume.release();
    expect(volume.gitignore).toBe('applied');
    const container = await start({ binds: [{ hostPath: volume.name, containerPath: '/input', readOnly: true }] });
    expect((await sh(container, 'ls -A /input')).stdout).toBe('.gitignore\nCOPYING\nLICENSE\nbin\nsrc\n');
  });

  it('removes the volume again when filling it fails, and stops reading the input', async () => {
    const packed = await packInput(input, { respectGitignore: false });
    const failure = runtime.createFilledVolume({ image: 'pmt-test/not-on-this-engine:1', shell: '/bin/sh', labels: labels(), tar: packed.stream });
    await expect(failure).rejects.toThrow(/pmt-test\/not-on-this-engine:1/);
    expect(packed.stream.destroyed).toBe(true);

    const aborted = AbortSignal.abort(new Error('user gave up'));
    const packed2 = await packInput(input, { respectGitignore: false });
    await expect(runtime.createFilledVolume({ image: TestImages.shell, shell: '/bin/sh', labels: labels(), tar: packed2.stream, signal: aborted })).rejects.toThrow();
    expect(packed2.stream.destroyed).toBe(true);
    expect((await remoteLeftovers(`${TEST_LABEL}=${session}`)).volumes).toEqual([]);
  });

  it('rejects a putArchive into a missing directory with a Docker error, and destroys the stream', async () => {
    const container = await start({});
    const packed = await packInput(input, { respectGitignore: false });
    await expect(container.putArchive('/no/such/dir', packed.stream)).rejects.toThrow(/could not copy files into \/no\/such\/dir.*HTTP 404/);
    expect(packed.stream.destroyed).toBe(true);
  });
});
