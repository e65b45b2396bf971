import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { savedResults, snapshotTree, tempDir, writeRegistry, writeTree } from '../../support/fixtures.js';
import { TEST_LABEL, TestImages } from '../../support/test-images.js';
import { pluginOf, scanJson, writeNamedConfig } from '../rest-scan.js';
import { runTask, stepOutput, type TaskRun } from './task-container.js';

/** Every path of /input with its type, modes, content digest or link target: what a scanner can see. */
const MANIFEST = `cd /input && { stat -c '. %a' .; find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do
  if [ -L "$p" ]; then echo "L $p -> $(readlink "$p")"
  elif [ -d "$p" ]; then echo "D $p $(stat -c %a "$p")"
  else echo "F $p $(stat -c %a "$p") $(sha256sum < "$p" | cut -d' ' -f1)"; fi
done; } > /result/manifest.txt`;

let dir: { path: string; remove: () => Promise<void> };
let input: string;
const runs: TaskRun[] = [];

beforeEach(async () => {
  dir = await tempDir('pmt-swarm-task-e2e-');
  input = join(dir.path, 'repo');
  await writeTree(input, {
    'README.md': '# project\n',
    'src/main.c': 'int main(void) { return 0; }\n',
    'src/deep/er/data.bin': randomBytes(3 * 1024 * 1024 + 17),
    '.hidden/config': 'secret=1\n',
    'LICENSE': 'MIT\n',
  });
  // Readable by others: the task's plugin reads the input as someone who does not own it (see task-script.ts).
  await chmod(join(input, 'LICENSE'), 0o444);
  await mkdir(join(input, 'empty-dir'));
  await symlink('src/main.c', join(input, 'main-link'));
});

afterEach(async () => {
  await dir.remove();
  // Nothing of a task is left on the engine: no container, no volume.
  for (const run of runs.splice(0)) {
    expect(await containersWithLabels(`${TEST_LABEL}=${run.label}`)).toEqual([]);
    expect((await docker.listVolumes({ filters: { label: [`${TEST_LABEL}=${run.label}`] } })).Volumes ?? []).toEqual([]);
  }
});

/** The curl test image with a file at /input, as a plugin image may have; removed by the test. */
async function imageWithInputFile(): Promise<string> {
  return imageWithFile('/input/from-image', 'stale\n');
}

/** The curl test image with one file (`path`) added or replaced; removed by the test. */
async function imageWithFile(path: string, content: string): Promise<string> {
  const tag = `pmt-test/swarm-task-input:${randomBytes(4).toString('hex')}`;
  const context = pack();
  context.entry({ name: 'Dockerfile' }, `FROM ${TestImages.curl}\nCOPY the-file ${path}\nLABEL ${TEST_LABEL}=swarm-task\n`);
  context.entry({ name: 'the-file' }, content);
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: tag, networkmode: 'none' });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
      const failed = error ?? events.find((e) => e.error);
      if (failed) reject(failed instanceof Error ? failed : new Error(failed.error));
      else resolve();
    }),
  );
  return tag;
}

async function task(request: Parameters<typeof runTask>[0]): Promise<TaskRun> {
  const run = await runTask(request);
  runs.push(run);
  return run;
}

describe('swarm task script on the main engine', () => {
  it('ships the input byte-identical to what a local bind-mount run of the same plugin sees', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'manifest', image: TestImages.curl, cmd: MANIFEST, results: ['manifest.txt'] }]);
    const config = await writeNamedConfig(dir.path, 'local.json', { PathDirLogs: 'logs', PathDirResults: 'results', RestApi: true });
    const local = await scanJson({ cwd: dir.path, input, registry, config });
    expect(pluginOf(local.report, 'manifest').status).toBe('succeeded');
    expect(await savedResults(local.report.resultsDir)).toEqual(['manifest_manifest.txt']);
    const expected = await readFile(join(local.report.resultsDir, 'manifest_manifest.txt'));
    const before = await snapshotTree(input);

    const run = await task({ input, cmd: MANIFEST, results: ['manifest.txt'] });

    expect(run.exitCode).toBe(0);
    expect(run.steps.map((s) => [s.step, s.exitCode])).toEqual([['check', 0], ['input', 0], ['cmd', 0], ['upload', 0]]);
    expect(run.unfinished).toEqual([]);
    expect(run.results.get('manifest.txt')?.toString()).toBe(expected.toString());
    expect(expected.toString()).toContain('F ./LICENSE 444 ');
    expect(expected.toString()).toContain('L ./main-link -> src/main.c\n');
    expect(await snapshotTree(input)).toEqual(before);
    // The check step printed what the local check prints, judged by the same code.
    expect(stepOutput(run, 'check')).toMatch(/^test\ncurl \d/);
  });

  it('runs the command as a non-root plugin user (uid 1000, no capabilities, no new privileges) that may write /result', async () => {
    const cmd = `id > /result/id.txt; grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status >> /result/id.txt
      cat /input/README.md >> /result/id.txt; echo "HOME=$HOME" >> /result/id.txt
      if echo x > /input/new.txt 2>/dev/null; then echo WROTE; fi`;
    const run = await task({ input, cmd, results: ['id.txt'], user: '1000:1000' });

    expect(run.exitCode).toBe(0);
    const id = run.results.get('id.txt')?.toString() ?? '';
    expect(id).toMatch(/^uid=1000 gid=1000 groups=1000\n/);
    expect(id).toContain('CapEff:\t0000000000000000\n');
    expect(id).toContain('NoNewPrivs:\t1\n');
    expect(id).toContain('# project\n');
    // As a local container of a user without a passwd entry: HOME=/, not the task root's /root.
    expect(id).toContain('HOME=/\n');
    expect(stepOutput(run, 'cmd')).not.toContain('WROTE');
  });

  it("runs a named user with the image's groups, and gives the input another owner when the plugin is nobody", async () => {
    const cmd = `id > /result/id.txt; echo "HOME=$HOME" >> /result/id.txt; stat -c '%u:%g %a' /input /input/README.md >> /result/id.txt
      if echo x >> /input/README.md 2>/dev/null || chmod 666 /input/README.md 2>/dev/null; then echo CHANGED; fi`;
    const run = await task({ input, cmd, results: ['id.txt'], user: 'nobody' });

    expect(run.exitCode).toBe(0);
    expect(run.results.get('id.txt')?.toString()).toBe('uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\nHOME=/nonexistent\n65533:65533 755\n65533:65533 644\n');
    expect(stepOutput(run, 'cmd')).not.toContain('CHANGED');
  });

  it('shows none of what the image holds at /input, and refuses to mix it in when the volume would copy it', async () => {
    const image = await imageWithInputFile();
    try {
      const run = await task({ input, cmd: 'ls -A /input > /result/ls.txt', results: ['ls.txt'], image });
      expect(run.exitCode).toBe(0);
      expect(run.results.get('ls.txt')?.toString()).toBe('.hidden\nLICENSE\nREADME.md\nempty-dir\nmain-link\nsrc\n');

      const copied = await task({ input, cmd: 'echo ran > /result/r.txt', results: ['r.txt'], image, copyImageInput: true });
      expect(copied.exitCode).toBe(1);
      expect(copied.steps.map((s) => [s.step, s.exitCode])).toEqual([['check', 0], ['input', 1]]);
      expect(copied.steps[1]!.stderr).toBe('pmt-task: /input holds /input/from-image before the input arrived (its volume must be mounted with NoCopy)\n');
    } finally {
      await docker.getImage(image).remove();
    }
  });

  it("finds a user on the last line of the image's /etc/passwd without a line break, as Docker does", async () => {
    const passwd = 'root:x:0:0:root:/root:/bin/sh\nscanner:x:4321:4321::/home/scanner:/bin/sh';
    const image = await imageWithFile('/etc/passwd', passwd);
    try {
      const run = await task({ input, cmd: 'id -u > /result/id.txt; echo "HOME=$HOME" >> /result/id.txt', results: ['id.txt'], image, user: 'scanner' });
      expect(run.steps.map((s) => [s.step, s.exitCode])).toEqual([['check', 0], ['input', 0], ['cmd', 0], ['upload', 0]]);
      expect(run.results.get('id.txt')?.toString()).toBe('4321\nHOME=/home/scanner\n');
    } finally {
      await docker.getImage(image).remove();
    }
  });

  it("runs the script and every step in the entry's shell, bash too", async () => {
    const run = await task({ input, cmd: 'echo "$BASH_VERSION" > /result/shell.txt; cat /input/README.md >> /result/shell.txt', results: ['shell.txt'], shell: '/bin/bash', user: '1000' });
    expect(run.exitCode).toBe(0);
    expect(run.steps.map((s) => [s.step, s.exitCode])).toEqual([['check', 0], ['input', 0], ['cmd', 0], ['upload', 0]]);
    expect(run.results.get('shell.txt')?.toString()).toMatch(/^5\.\d.*\n# project\n$/);
  });

  it('fails the input step, before the command runs, for a user the image does not know', async () => {
    const run = await task({ input, cmd: 'echo ran > /result/r.txt', results: ['r.txt'], user: 'scanner' });

    expect(run.exitCode).toBe(125);
    expect(run.steps.map((s) => [s.step, s.exitCode])).toEqual([['check', 0], ['input', 125]]);
    expect(run.steps[1]!.stderr).toBe('pmt-task: unable to find user scanner: no matching entries in /etc/passwd\n');
    expect(run.results.size).toBe(0);
  });
});
