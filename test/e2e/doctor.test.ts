import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containersWithLabels, docker, exitedLabelledContainer, startLabelledContainer } from '../support/engine-state.js';
import { REPO_ROOT, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { runPmt, spawnPmt, type PmtRun } from '../support/run-pmt.js';
import { TEST_LABEL, TestImages } from '../support/test-images.js';

interface JsonFinding {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  plugin?: string;
  message: string;
  hint?: string;
}
interface JsonDoctor {
  exitCode: number;
  findings: JsonFinding[];
  skipped: { checks: string[]; reason: string }[];
}

/** A pid no process has: above Linux's pid_max limit (2^22). */
const DEAD_PID = String(2 ** 22 + 12345);

describe('pmt doctor on the real engine', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  async function doctor(args: string[]): Promise<PmtRun & { report: JsonDoctor }> {
    const run = await runPmt(['doctor', '--json', ...args], { cwd: dir.path });
    const report = JSON.parse(run.stdout) as JsonDoctor;
    expect(report.exitCode).toBe(run.code);
    // The curl probes' throwaway containers are gone however doctor ended.
    expect(await containersWithLabels('pmt.doctor', `pmt.pid=${process.pid}`)).toEqual([]);
    return { ...run, report };
  }
  const findingsOf = (report: JsonDoctor, check: string): JsonFinding[] => report.findings.filter((f) => f.check === check);

  it('checks the bundled registry: one image finding per plugin, as the engine really is, and curl in present images', async () => {
    const config = await writeConfig(dir.path, { RestApi: true, RestFallback: true });
    const { code, report } = await doctor(['-r', join(REPO_ROOT, 'plugins.yaml'), '-c', config]);
    const bundled = (parse(await readFile(join(REPO_ROOT, 'plugins.yaml'), 'utf8')) as {
      plugins: { name: string; docker_image: string; build?: string }[];
    }).plugins;

    const present = new Set<string>();
    for (const plugin of bundled) {
      const exists = await docker.getImage(plugin.docker_image).inspect().then(() => true, () => false);
      if (exists) present.add(plugin.name);
    }
    const images = findingsOf(report, 'image');
    expect(images.map((f) => f.plugin)).toEqual(bundled.map((p) => p.name));
    for (const finding of images) {
      if (present.has(finding.plugin!)) {
        expect(finding.status).toBe('ok');
        expect(finding.message).toMatch(/ present \([0-9a-f]{12}\)$/);
      } else {
        // Every bundled plugin names its build directory, and there is no registry here.
        expect(finding.status).toBe('warn');
        expect(finding.message).toContain('not pullable');
        expect(finding.hint).toContain('build it with `pmt build -p ');
      }
    }
    expect(present.has('licensee')).toBe(true);
    expect(present.has('scancode')).toBe(false);
    const curl = findingsOf(report, 'curl');
    expect(curl.map((f) => f.plugin)).toEqual(bundled.filter((p) => present.has(p.name)).map((p) => p.name));
    expect(curl.find((f) => f.plugin === 'licensee')).toMatchObject({ status: 'ok', message: expect.stringMatching(/^curl \d+\.\d+\.\d+ in pmt\/licensee:/) });

    expect(findingsOf(report, 'engine')[0]).toMatchObject({ status: 'ok', message: expect.stringMatching(/^Docker .+ \(API 1\.\d+\) at unix:\/\//) });
    expect(report.findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
  });

  it('warns about an image without curl when RestFallback is on, and fails with it off', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'no-curl', image: TestImages.shell, cmd: 'true' },
      { name: 'has-curl', image: TestImages.curl, cmd: 'true' },
    ]);
    const fallback = await doctor(['-r', registry, '-c', await writeConfig(dir.path, { RestApi: true, RestFallback: true })]);
    expect(fallback.code).toBe(0);
    const [noCurl, hasCurl] = findingsOf(fallback.report, 'curl');
    expect(noCurl).toMatchObject({ plugin: 'no-curl', status: 'warn', message: expect.stringContaining('falls back to archive copy') });
    expect(hasCurl).toMatchObject({ plugin: 'has-curl', status: 'ok' });

    const strict = await doctor(['-r', registry, '-c', await writeConfig(dir.path, { RestFallback: false })]);
    expect(strict.code).toBe(1);
    expect(findingsOf(strict.report, 'curl')[0]).toMatchObject({ plugin: 'no-curl', status: 'fail', message: expect.stringContaining('RestFallback is false') });

    // Plain words, no escape codes, when stdout is not a terminal.
    const text = await runPmt(['doctor', '-r', registry, '-c', join(dir.path, 'core_engine_config.json')], { cwd: dir.path });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^FAIL curl {6}no-curl: `curl -V` failed in debian:bookworm-slim/m);
    expect(text.stdout).toMatch(/^ok {3}curl {6}has-curl: curl /m);
    expect(text.stdout).not.toContain('\u001b[');
  });

  it('fails a plugin whose image lacks its shell, saying what the engine\'s init said', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'shell-less', image: TestImages.curl, shell: '/bin/no-such-shell', cmd: 'true' }]);
    const { code, report } = await doctor(['-r', registry, '-c', await writeConfig(dir.path, { RestApi: true })]);
    expect(code).toBe(1);
    expect(findingsOf(report, 'shell')[0]).toMatchObject({
      plugin: 'shell-less',
      status: 'fail',
      message: expect.stringMatching(/could not run: the container's main shell ended with exit code 127; it said: .*\/bin\/no-such-shell/),
      hint: 'the image needs a POSIX shell (/bin/no-such-shell) and echo',
    });
    // A plugin a scan cannot run at all is not said to have curl, nor to fall back.
    expect(findingsOf(report, 'curl')).toEqual([]);
  });

  it('skips curl probes when RestApi is off', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'no-curl', image: TestImages.shell, cmd: 'true' }]);
    const { code, report } = await doctor(['-r', registry, '-c', await writeConfig(dir.path, { RestApi: false })]);
    expect(code).toBe(0);
    expect(findingsOf(report, 'curl')).toEqual([]);
    expect(report.skipped).toEqual([{ checks: ['curl'], reason: expect.stringContaining('RestApi is false') }]);
  });

  it('fails an image that is neither present, pullable nor buildable', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'ghost', image: 'localhost:1/pmt-test/nope:1', cmd: 'true' }]);
    const { code, report } = await doctor(['-r', registry, '-c', await writeConfig(dir.path, {})]);
    expect(code).toBe(1);
    expect(findingsOf(report, 'image')[0]).toMatchObject({
      plugin: 'ghost',
      status: 'fail',
      message: expect.stringMatching(/^localhost:1\/pmt-test\/nope:1 not present and not pullable: .*connection refused/),
    });
  });

  it('exits 2 for a broken registry, naming file:line:col, and still checks the engine', async () => {
    const registry = join(dir.path, 'plugins.yaml');
    await writeFile(registry, 'version: R1.0\nplugins:\n  - name: broken\n    version: 1.0.0\n    docker_image: debian:bookworm-slim\n    shell: /bin/sh\n    results: [r.txt]\n');
    const { code, report } = await doctor(['-r', registry]);
    expect(code).toBe(2);
    expect(findingsOf(report, 'registry')).toEqual([
      { check: 'registry', status: 'fail', message: `${registry}:3:5: plugins[0]: missing required key "cmd"`, hint: expect.any(String) },
    ]);
    expect(findingsOf(report, 'engine')[0]?.status).toBe('ok');
    expect(findingsOf(report, 'image')).toEqual([]);
    expect(report.skipped).toEqual([{ checks: ['image', 'shell', 'curl'], reason: 'the registry or config is invalid' }]);
  });

  it('exits 3 when no engine answers, skipping the engine checks', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'p', image: TestImages.shell, cmd: 'true' }]);
    // A child process: dockerode reads DOCKER_HOST from the real environment.
    const run = await spawnPmt(['doctor', '--json', '-r', registry], { cwd: dir.path, env: { DOCKER_HOST: `unix://${join(dir.path, 'no-engine.sock')}` } }).result;
    const report = JSON.parse(run.stdout) as JsonDoctor;
    expect(run.code).toBe(3);
    expect(findingsOf(report, 'engine')[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('no Docker engine answers'), hint: expect.stringContaining('DOCKER_HOST') });
    expect(report.skipped).toEqual([{ checks: ['image', 'shell', 'curl', 'leftovers'], reason: 'no Docker engine answers' }]);
  });

  it('reports a container left by a pmt run that is gone, and --fix removes it (and only such containers)', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'p', image: TestImages.shell, cmd: 'true' }]);
    const config = await writeConfig(dir.path, { RestApi: false });
    const labels = { [TEST_LABEL]: '1', 'pmt.run': 'doctor-test', 'pmt.plugin': 'p', 'pmt.host': hostname() };
    const alive = await startLabelledContainer(TestImages.shell, { ...labels, 'pmt.pid': String(process.pid) });
    const created = [alive];
    // A container another sweep is removing counts as gone (doctor does not list it either).
    const exists = async (id: string): Promise<boolean> => (await containersWithLabels(TEST_LABEL)).some((c) => c.Id === id && c.State !== 'removing');

    /** 'raced' when another sweep took the container first, so this attempt proves nothing. */
    const reportThenFix = async (dead: string): Promise<'verified' | 'raced'> => {
      const seen = await doctor(['-r', registry, '-c', config]);
      if (!(await exists(dead))) return 'raced';
      expect(seen.code, seen.stdout).toBe(0);
      const leftovers = findingsOf(seen.report, 'leftovers')[0];
      expect(leftovers).toMatchObject({ status: 'warn', hint: expect.stringContaining('pmt doctor --fix') });
      expect(leftovers?.message).toContain(dead.slice(0, 12));
      expect(leftovers?.message).not.toContain(alive.slice(0, 12));

      const fixed = await doctor(['-r', registry, '-c', config, '--fix']);
      expect(fixed.code, fixed.stdout).toBe(0);
      // Gone, or (when another sweep got there at the same moment) on its way: the engine answers
      // 409 "removal in progress" to the second remover, which counts that as done.
      await expect.poll(() => exists(dead), { timeout: 5_000 }).toBe(false);
      const removed = findingsOf(fixed.report, 'leftovers')[0];
      if (removed?.message.startsWith('nothing left')) return 'raced';
      expect(removed).toMatchObject({ status: 'ok', message: expect.stringMatching(/^removed [1-9]\d* container\(s\)/) });
      return 'verified';
    };
    try {
      // Scans in the other test worker sweep dead pmt containers of this host too and may take ours
      // first; an attempt counts only when ours was still there for doctor to find and remove.
      for (let attempt = 1; ; attempt++) {
        const dead = await exitedLabelledContainer(TestImages.shell, { ...labels, 'pmt.run': 'doctor-test-gone', 'pmt.pid': DEAD_PID });
        created.push(dead);
        if ((await reportThenFix(dead)) === 'verified') break;
        if (attempt === 5) throw new Error('another sweep removed the test container before doctor in every attempt');
      }
      expect(await exists(alive)).toBe(true);
    } finally {
      await Promise.all(created.map((id) => docker.getContainer(id).remove({ force: true }).catch(() => undefined)));
    }
  });
});
