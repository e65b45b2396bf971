import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { REPO_ROOT, tempDir, writeTree } from '../../support/fixtures.js';
import { packAndInstall, type PackedInstall } from '../../support/packed-install.js';
import { TestImages } from '../../support/test-images.js';

const run = promisify(execFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, maxBuffer: 16 * 2 ** 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const packageJson = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

/** The engine's socket as this test reaches it, to mount into a container running pmt. */
const SOCKET = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';

describe('pmt installed from its npm package, run from any directory and from a container (Docker-out-of-Docker)', () => {
  const tag = randomBytes(4).toString('hex');
  let dir: { path: string; remove: () => Promise<void> };
  let installed: PackedInstall;
  let env: NodeJS.ProcessEnv;
  let project: string;
  /** file-hasher's result for the sample tree, scanned on the host by the installed pmt. */
  let hostResult: string;

  beforeAll(async () => {
    dir = await tempDir('pmt-install-test-');
    installed = await packAndInstall(join(dir.path, 'pack'));
    project = join(dir.path, 'project');
    await writeTree(project, { LICENSE: 'MIT License\n', 'src/main.c': 'int main(void) { return 0; }\n', 'docs/read me.txt': 'hello\n' });
    // The installed bin runs through its shebang: node must be on PATH, nothing else of the checkout.
    env = {
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: join(dir.path, 'home'),
      XDG_CONFIG_HOME: join(dir.path, 'config'),
      XDG_CACHE_HOME: join(dir.path, 'cache'),
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    };
  }, 180_000);

  afterAll(async () => {
    const images = await docker.listImages({ all: true, filters: { label: [`pmt.test.install=${tag}`] } });
    for (const image of images) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
    await dir.remove();
  });

  it('the package holds the bundle, the registry and every bundled build directory, and nothing of the sources or tests', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    // The bin, the bundle, its code cache for the V8 that built it, and the bundled libraries' license comments.
    expect(files).toEqual(expect.arrayContaining(['dist/pmt.cjs', 'dist/pmt-main.cjs', 'dist/pmt-main.cjs.LEGAL.txt']));
    expect(files.filter((f) => /^dist\/pmt-main\.cjs\.[0-9a-f]{16}\.v8-[0-9.]+\.cache$/.test(f))).toHaveLength(1);
    expect(files).toContain('plugins.yaml');
    expect(files).toContain('plugins/scancode/install-scancode.sh');
    expect(files).toContain('plugins/file-hasher/file-hasher');
    expect(files.filter((f) => /^(src|test|bench|scripts|samples)\/|\.ts$|\.map$|^dist\/(cli|engine|docker)\/|node_modules/.test(f))).toEqual([]);
    const pkg = JSON.parse(await readFile(join(installed.packageDir, 'package.json'), 'utf8')) as { bin: Record<string, string>; engines: { node: string } };
    expect(pkg.bin).toEqual({ pmt: 'dist/pmt.cjs' });
    expect((await readFile(join(installed.packageDir, 'dist', 'pmt.cjs'), 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('from an unrelated directory: --version is package.json\'s, -l lists the bundled registry, build and scan work', async () => {
    const version = await exec(installed.bin, ['-V'], { cwd: project, env });
    expect(version).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });

    const listed = await exec(installed.bin, ['-l'], { cwd: project, env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^file-hasher\s+1\.0\.0\s+pmt\/file-hasher:1\.0\.0\s+present$/m);
    expect(listed.stdout.trim().split('\n').at(-1)).toBe(`Registry: ${join(installed.packageDir, 'plugins.yaml')} (bundled with pmt)`);

    // The installed build directory is the checkout's: the image the set-up built from it is current.
    const upToDate = await exec(installed.bin, ['build', '-p', 'file-hasher'], { cwd: project, env });
    expect(upToDate.stdout).toBe('file-hasher: pmt/file-hasher:1.0.0 is up to date (built from this state of its directory)\n');

    // A user registry with a plugin of its own, built and run through the installed bin.
    const user = join(env.XDG_CONFIG_HOME!, 'pmt');
    await writeTree(join(user, 'tiny'), {
      Dockerfile: `FROM ${TestImages.shell}\nLABEL pmt.test.install=${tag}\nCOPY count /usr/local/bin/count\n`,
    });
    await writeFile(join(user, 'tiny', 'count'), '#!/bin/sh\nfind /input -type f | wc -l > /result/count.txt\n', { mode: 0o755 });
    await writeFile(
      join(user, 'plugins.yaml'),
      `version: R1.0\nextends: bundled\ndefault_plugin: tiny\nplugins:\n  - {name: tiny, version: "1", docker_image: "pmt-test/install-tiny-${tag}:1", build: tiny, shell: /bin/sh, cmd: count, results: [count.txt]}\n`,
    );
    // It keeps the bundled plugins and says where each entry comes from.
    const extended = await exec(installed.bin, ['-l'], { cwd: project, env });
    expect(extended.stdout).toMatch(/^PLUGIN\s+VERSION\s+IMAGE\s+IMAGE STATUS\s+FROM$/m);
    expect(extended.stdout).toMatch(/^licensee\s+9\.15\.2\s+pmt\/licensee:9\.15\.2\s+present\s+bundled$/m);
    expect(extended.stdout).toMatch(new RegExp(`^tiny \\*\\s+1\\s+\\S+\\s+not built\\s+${join(user, 'plugins.yaml')}$`, 'm'));
    expect(extended.stdout.trim().split('\n').at(-1)).toBe(
      `Registry: ${join(user, 'plugins.yaml')} (user config dir), extends bundled (${join(installed.packageDir, 'plugins.yaml')})`,
    );
    const built = await exec(installed.bin, ['build', '-p', 'tiny'], { cwd: project, env });
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/^tiny: built pmt-test\/install-tiny-[0-9a-f]+:1 in /);
    const scanned = await exec(installed.bin, ['scan', '-o', '../out'], { cwd: project, env });
    expect(scanned.code, scanned.stderr).toBe(0);
    expect(await readFile(join(dir.path, 'out', 'tiny_count.txt'), 'utf8')).toBe('3\n');

    const hashed = await exec(installed.bin, ['scan', '-r', join(installed.packageDir, 'plugins.yaml'), '-p', 'file-hasher', '-o', '../host-out', '--no-cache'], { cwd: project, env });
    expect(hashed.code, hashed.stderr).toBe(0);
    hostResult = await readFile(join(dir.path, 'host-out', 'file-hasher_result.json'), 'utf8');
    // The package's own code cache served every run (same Node as the build's): none of the user's was needed.
    expect(existsSync(join(env.XDG_CACHE_HOME!, 'pmt', 'code'))).toBe(false);
    expect(hostResult).toContain('"path": "docs/read me.txt"');
  });

  /**
   * pmt in a container from the base image, with node and the installed package mounted read-only
   * and the engine's socket mounted, as CI jobs run it. `binds` are extra `-v` mounts.
   */
  async function runInContainer(hostname: string, script: string, binds: string[], extraEnv: string[] = []): Promise<Ran> {
    const args = ['run', '--rm', '--label', `pmt.test.install=${tag}`, '--hostname', hostname, '--network', 'none'];
    for (const bind of [`${process.execPath}:/usr/local/bin/node:ro`, `${installed.prefix}:/opt/pmt:ro`, `${SOCKET}:/var/run/docker.sock`, ...binds]) args.push('-v', bind);
    for (const e of ['PATH=/opt/pmt/bin:/usr/local/bin:/usr/bin:/bin', 'DOCKER_HOST=unix:///var/run/docker.sock', ...extraEnv]) args.push('-e', e);
    return exec('docker', [...args, TestImages.shell, 'sh', '-c', script], { cwd: dir.path, env: process.env });
  }

  async function expectNothingLeft(hostname: string): Promise<void> {
    expect(await containersWithLabels(`pmt.host=${hostname}`)).toEqual([]);
    expect(await containersWithLabels(`pmt.test.install=${tag}`)).toEqual([]);
    expect((await docker.listVolumes({ filters: { label: [`pmt.host=${hostname}`] } })).Volumes ?? []).toEqual([]);
  }

  it('in a container with the socket mounted, a scan of a directory only the container has succeeds without flags, copied, with the host run\'s results', async () => {
    const hostname = `pmt-dood-${tag}`;
    const ran = await runInContainer(
      hostname,
      'mkdir -p /builds/project && cp -r /seed/. /builds/project && cd /builds/project && pmt scan -p file-hasher -o /tmp/out --no-cache --log-format text >&2 && cat /tmp/out/file-hasher_result.json',
      [`${project}:/seed:ro`],
    );
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toMatch(/warn: The Docker engine at unix:\/\/\/var\/run\/docker\.sock does not see pmt's files \(bind source path does not exist: \/tmp\/(pmt-run-\w+\/)?pmt-probe-\w+\), as when pmt runs in a container with the engine's socket mounted: copying the input into each container and collecting results by archive copy/);
    expect(ran.stdout).toBe(hostResult);
    await expectNothingLeft(hostname);

    // pmt doctor there says the same, and that scans work as they are.
    const registry = join(dir.path, 'hasher-only.yaml');
    await writeFile(registry, 'version: R1.0\nplugins:\n  - {name: file-hasher, version: "1", docker_image: "pmt/file-hasher:1.0.0", shell: /bin/sh, cmd: "true", results: [r.json]}\n');
    const doctor = await runInContainer(hostname, 'cd /tmp && pmt doctor --json', [`${registry}:/registry.yaml:ro`], ['PMT_REGISTRY=/registry.yaml']);
    const files = (JSON.parse(doctor.stdout) as { findings: { check: string; status: string; message: string }[] }).findings.find((f) => f.check === 'files');
    expect(files).toMatchObject({ status: 'warn', message: expect.stringMatching(/^the engine does not see pmt's files \(bind source path does not exist: \/tmp\/(pmt-run-\w+\/)?pmt-probe-\w+\): scans copy the input/) });
    await expectNothingLeft(hostname);
  });

  it('a path the engine\'s host has with other content is never bound: the scan copies what pmt sees', async () => {
    const hostname = `pmt-dood-same-path-${tag}`;
    // The engine's host has `decoy` with other files; in the container that path holds the project.
    const decoy = join(dir.path, 'decoy');
    await writeTree(decoy, { 'SECRET-OF-THE-HOST.txt': 'not the project\n' });
    await utimes(decoy, new Date('2001-01-01T00:00:00Z'), new Date('2001-01-01T00:00:00Z'));
    // pmt's temp dir is shared with the engine's host at the same path, so its marker is found.
    const sharedTmp = join(dir.path, 'shared-tmp');
    await mkdir(sharedTmp);
    const ran = await runInContainer(
      hostname,
      `cd ${decoy} && pmt scan -p file-hasher -o ${sharedTmp}/out --no-cache --log-format text >&2 && cat ${sharedTmp}/out/file-hasher_result.json`,
      [`${project}:${decoy}:ro`, `${sharedTmp}:${sharedTmp}`],
      [`TMPDIR=${sharedTmp}`],
    );
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain(`does not see pmt's files (the engine sees another directory at ${decoy})`);
    expect(ran.stdout).toBe(hostResult);
    expect(ran.stdout).not.toContain('SECRET-OF-THE-HOST');
    await expectNothingLeft(hostname);
  });
});
