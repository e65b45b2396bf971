import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../support/engine-state.js';
import { tempDir, writeConfig } from '../support/fixtures.js';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program.js';
import { runPmt } from '../support/run-pmt.js';
import { scanJson } from '../support/scan-json.js';
import { TestImages } from '../support/test-images.js';

/** The pipeline scripts/build-plugins.sh labelled images with before it called pmt build. */
function shellHash(dir: string): string {
  const pipeline = '(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16';
  return execFileSync('bash', ['-c', pipeline, 'hash', dir], { encoding: 'utf8' }).trim();
}

interface BuildJson {
  builds: { plugin: string; image: string; status: string; imageId: string | null; hash: string | null; logPath: string | null; message: string | null }[];
}

/** `pmt build` through the engine's build API, on tiny build directories made here (no network needed). */
describe('pmt build', () => {
  const tag = randomBytes(4).toString('hex');
  /** On every image these Dockerfiles make, intermediate ones too, and on the containers of their steps. */
  const mark = `pmt.test.build=${tag}`;
  const tiny = `pmt-test/build-tiny-${tag}:1`;
  const broken = `pmt-test/build-broken-${tag}:1`;
  let dir: { path: string; remove: () => Promise<void> };
  let registry: string;
  let config: string;

  beforeAll(async () => {
    dir = await tempDir('pmt-build-test-');
    const from = `FROM ${TestImages.shell}\nLABEL ${mark}\n`;
    await mkdir(join(dir.path, 'tiny', 'bin'), { recursive: true });
    await writeFile(join(dir.path, 'tiny', 'Dockerfile'), `${from}COPY bin/scan /usr/local/bin/scan\n`);
    // Mode 0755 travels in the streamed context: the COPY'd script runs without a chmod step.
    await writeFile(join(dir.path, 'tiny', 'bin', 'scan'), '#!/bin/sh\nls /input > /result/files.txt\n', { mode: 0o755 });
    await mkdir(join(dir.path, 'offline'));
    const download = 'echo "Downloading https://example.invalid/tool.tar.gz"; echo "curl: (6) Could not resolve host" >&2; echo "ERROR: cannot download tool.tar.gz (curl exit 6)" >&2; echo "elsewhere use a published image" >&2; exit 1';
    await writeFile(join(dir.path, 'offline', 'Dockerfile'), `# pmt-build: optional\n${from}RUN ${download}\n`);
    await mkdir(join(dir.path, 'broken'));
    await writeFile(join(dir.path, 'broken', 'Dockerfile'), `${from}RUN echo "E: Unable to locate package nosuchthing" >&2; exit 100\n`);
    registry = join(dir.path, 'plugins.yaml');
    const entry = (name: string, image: string, build: string | undefined): string =>
      `  - {name: ${name}, version: "1", docker_image: "${image}", ${build ? `build: ${build}, ` : ''}shell: /bin/sh, cmd: scan, results: [files.txt]}\n`;
    await writeFile(
      registry,
      `version: R1.0\ndefault_plugin: tiny\nplugins:\n${entry('tiny', tiny, 'tiny')}${entry('offline', `pmt-test/build-offline-${tag}:1`, 'offline')}${entry('published', TestImages.shell, undefined)}`,
    );
    config = await writeConfig(dir.path, { PathDirLogs: join(dir.path, 'logs'), PathDirResults: join(dir.path, 'results') });
    await mkdir(join(dir.path, 'repo'));
    await writeFile(join(dir.path, 'repo', 'LICENSE'), 'MIT\n');
  });

  afterAll(async () => {
    const images = await docker.listImages({ all: true, filters: { label: [mark] } });
    for (const image of images) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
    await dir.remove();
  });

  const build = (...args: string[]) => runPmt(['build', '-r', registry, '-c', config, ...args], { cwd: dir.path });

  it('a scan of an unbuilt entry names the build command; pmt build builds it, labelled as build-plugins.sh labels; the scan then runs it', async () => {
    const before = await scanJson(['-r', registry, '-c', config, '-i', join(dir.path, 'repo'), '--no-cache'], { cwd: dir.path });
    expect(before.code).toBe(1);
    expect(before.report.plugins[0]!.error?.hint).toContain(`build it with \`pmt build -p tiny -r ${registry}\``);

    const built = await build('-p', 'tiny');
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(new RegExp(`^tiny: built ${tiny.replace(/[.]/g, '\\.')} in \\d+\\.\\ds$`, 'm'));
    const image = await docker.getImage(tiny).inspect();
    expect(image.Config.Labels['pmt.build-context']).toBe(shellHash(join(dir.path, 'tiny')));
    // The classic builder's step containers are gone.
    expect(await containersWithLabels(mark)).toEqual([]);

    const again = await build('-p', 'tiny', '--json');
    expect((JSON.parse(again.stdout) as BuildJson).builds).toMatchObject([{ plugin: 'tiny', status: 'up to date', imageId: image.Id, logPath: null }]);
    expect((await build('-p', 'tiny', '--force')).stdout).toMatch(/^tiny: built /m);

    const after = await scanJson(['-r', registry, '-c', config, '-i', join(dir.path, 'repo'), '--no-cache'], { cwd: dir.path });
    expect(after.code).toBe(0);
    expect(await readFile(join(dir.path, 'results', 'tiny_files.txt'), 'utf8')).toBe('LICENSE\n');
  });

  it('on a terminal, the step running now is shown on one line that is cleared when the plugin is done', async () => {
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 0 });
    const stdout = new PassThrough();
    const writes: string[] = [];
    stderr.on('data', (chunk: Buffer) => writes.push(chunk.toString()));
    stdout.resume();
    const code = await runCli(['build', '-r', registry, '-c', config, '-p', 'tiny', '--force'], {
      stdout,
      stderr,
      env: { ...process.env, XDG_CONFIG_HOME: dir.path, XDG_STATE_HOME: dir.path },
      cwd: dir.path,
      onSignal: () => () => undefined,
    });
    expect(code).toBe(0);
    expect(writes[0]).toMatch(/^\r\x1b\[Kbuilding tiny \(\d+\.\ds\): sending /);
    expect(writes).toContainEqual(expect.stringMatching(/^\r\x1b\[Kbuilding tiny \(\d+\.\ds\): step 3\/4 \(COPY bin\/scan \/usr\/local\/bin\/scan\)$/));
    // A terminal reporting 0 columns counts as 80 wide: no line is longer.
    expect(Math.max(...writes.map((w) => w.replace('\r\x1b[K', '').length))).toBeLessThanOrEqual(80);
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('an optional build whose download fails is skipped in one line when building all, and fails when named; the log keeps everything', async () => {
    const all = await build();
    expect(all.code, all.stderr).toBe(0);
    const line = all.stdout.split('\n').find((l) => l.startsWith('offline: '));
    expect(line).toMatch(/^offline: skipped \(optional\) — step 3\/4 \(RUN echo "Downloading .*\) failed: ERROR: cannot download tool\.tar\.gz \(curl exit 6\); log: \S+\.log$/);
    expect(all.stdout).not.toContain('published');

    const named = await build('-p', 'offline');
    expect(named.code).toBe(1);
    const failed = named.stdout.trim();
    expect(failed).toMatch(/^offline: FAILED — step 3\/4 .* failed: ERROR: cannot download tool\.tar\.gz \(curl exit 6\); log: (\S+\.log)$/);
    expect(named.stderr).toBe('pmt: 1 of 1 image build(s) failed; the whole output of each is in its log file — fix the build directory and run pmt build again\n');
    const log = await readFile(/log: (\S+\.log)$/.exec(failed)![1]!, 'utf8');
    expect(log).toContain('curl: (6) Could not resolve host');
    expect(log).toContain('pmt: the build failed: The command');
    expect(await docker.getImage(`pmt-test/build-offline-${tag}:1`).inspect().catch(() => undefined)).toBeUndefined();
    expect(await containersWithLabels(mark)).toEqual([]);
  });

  it('a failing build that is not optional fails pmt build (exit 1); an entry without build named is a usage error (exit 2)', async () => {
    await writeFile(registry, `${await readFile(registry, 'utf8')}  - {name: broken, version: "1", docker_image: "${broken}", build: broken, shell: /bin/sh, cmd: scan, results: [files.txt]}\n`);
    const run = await build('-p', 'broken,tiny');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^broken: FAILED — step 3\/4 \(RUN echo "E: Unable to locate .*\) failed: E: Unable to locate package nosuchthing; log: \S+$/m);
    expect(run.stdout).toMatch(/^tiny: .* is up to date/m);

    const usage = await build('-p', 'published');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('plugin "published" has no build directory in the registry, so pmt cannot build its image');
  });
});
