import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packBuildContext } from '../../../src/build/build-context.js';
import { installNpmPackages } from '../../../src/build/install-npm-packages.js';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { tempDir } from '../../support/fixtures.js';
import { TestImages } from '../../support/test-images.js';

async function tarNames(stream: Readable): Promise<string[]> {
  const names: string[] = [];
  const unpack = extract();
  unpack.on('entry', (header, body, next) => {
    names.push(header.type === 'directory' ? `${header.name}/` : header.name);
    body.on('end', next).resume();
  });
  await new Promise((resolve, reject) => {
    unpack.on('finish', () => resolve(undefined)).on('error', reject);
    stream.on('error', reject).pipe(unpack);
  });
  return names.sort();
}

/** A build directory whose .dockerignore leaves out a secret, a scratch dir (but one file in it) and logs. */
describe('the build context pmt build streams honours .dockerignore as docker build does', () => {
  const mark = `pmt.test.build-context=${randomBytes(4).toString('hex')}`;
  const image = `pmt-test/build-context-${randomBytes(4).toString('hex')}:1`;
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir('pmt-build-context-');
    await mkdir(join(dir.path, 'scratch'));
    await mkdir(join(dir.path, 'lib', 'deep'), { recursive: true });
    await writeFile(join(dir.path, '.dockerignore'), '# comment\nsecret.txt\nscratch\n!scratch/keep.txt\n**/*.log\nDockerfile\n');
    await writeFile(
      join(dir.path, 'Dockerfile'),
      `FROM ${TestImages.shell}\nLABEL ${mark}\nCOPY . /ctx\nRUN test ! -e /ctx/secret.txt && test ! -e /ctx/scratch/tmp.bin && test -f /ctx/scratch/keep.txt && test ! -e /ctx/lib/deep/run.log && test -f /ctx/lib/deep/tool.sh\n`,
    );
    await writeFile(join(dir.path, 'secret.txt'), 'token\n');
    await writeFile(join(dir.path, 'scratch', 'tmp.bin'), 'x');
    await writeFile(join(dir.path, 'scratch', 'keep.txt'), 'kept\n');
    await writeFile(join(dir.path, 'lib', 'deep', 'run.log'), 'log\n');
    await writeFile(join(dir.path, 'lib', 'deep', 'tool.sh'), '#!/bin/sh\n', { mode: 0o755 });
  });
  afterAll(async () => {
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
    for (const leftover of await docker.listImages({ all: true, filters: { label: [mark] } })) {
      await docker.getImage(leftover.Id).remove({ force: true }).catch(() => undefined);
    }
    await dir.remove();
  });

  it('sends what is not ignored, brings back a ! exception, and always sends the Dockerfile and .dockerignore', async () => {
    expect(await tarNames(packBuildContext(dir.path))).toEqual(['.dockerignore', 'Dockerfile', 'lib/', 'lib/deep/', 'lib/deep/tool.sh', 'scratch/keep.txt']);
  });

  it('the engine builds from it and sees exactly that (checked by the Dockerfile itself)', async () => {
    const stream = await docker.buildImage(packBuildContext(dir.path) as unknown as NodeJS.ReadableStream, { t: image, rm: true, forcerm: true, networkmode: 'none' });
    const events = await new Promise<{ error?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null, result: { error?: string }[]) => (error ? reject(error) : resolve(result))),
    );
    expect(events.filter((e) => e.error)).toEqual([]);
    await expect(docker.getImage(image).inspect()).resolves.toMatchObject({ Config: { Labels: { [mark.split('=')[0]!]: mark.split('=')[1] } } });
    expect(await containersWithLabels(mark)).toEqual([]);
  });
});

describe('npm packages a build directory pins are installed into the cache and overlaid, never into the build directory', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir('pmt-build-npm-');
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('installs once per lock, sends node_modules from the cache, and leaves a stale one in the build directory out', async () => {
    const build = join(dir.path, 'plugin');
    const cache = join(dir.path, 'cache');
    await mkdir(join(build, 'gen', 'node_modules', 'stale'), { recursive: true });
    await writeFile(join(build, 'Dockerfile'), `FROM ${TestImages.shell}\n`);
    // No dependencies: npm ci needs no network, and still makes the install the build would use.
    await writeFile(join(build, 'gen', 'package.json'), '{"name":"gen","version":"1.0.0","dependencies":{}}\n');
    await writeFile(join(build, 'gen', 'package-lock.json'), '{"name":"gen","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"gen","version":"1.0.0"}}}\n');
    await writeFile(join(build, 'gen', 'node_modules', 'stale', 'index.js'), 'stale\n');

    const logged: string[] = [];
    const first = await installNpmPackages(build, cache, (text) => logged.push(text));
    expect('overlays' in first && first.overlays.map((o) => o.at)).toEqual(['gen/node_modules']);
    const overlays = 'overlays' in first ? first.overlays : [];
    expect(overlays[0]!.from.startsWith(`${cache}/`)).toBe(true);
    expect(logged.join('')).toContain('pmt: installing the npm packages of');
    // The build directory was not written to.
    expect(await readdir(join(build, 'gen'))).toEqual(['node_modules', 'package-lock.json', 'package.json']);
    expect(await readdir(join(build, 'gen', 'node_modules'))).toEqual(['stale']);

    const again: string[] = [];
    expect(await installNpmPackages(build, cache, (text) => again.push(text))).toEqual(first);
    expect(again).toEqual([]);

    const names = await tarNames(packBuildContext(build, overlays));
    expect(names).toEqual(['Dockerfile', 'gen/', 'gen/node_modules/', 'gen/node_modules/.pmt-lock-sha256', 'gen/package-lock.json', 'gen/package.json']);
  });
});
