import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../../support/engine-state.js';
import { REPO_ROOT, tempDir } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';

const run = promisify(execFile);

/**
 * An author edits the scanner in the build directory and forgets to rebuild: `pmt -l`, doctor and
 * scan say the image is out of date and how to rebuild it, instead of quietly using the old one.
 */
describe('an image older than its build directory', () => {
  const image = `pmt-test/out-of-date-${randomBytes(4).toString('hex')}:1`;
  let dir: { path: string; remove: () => Promise<void> };
  let registry: string;
  let buildDir: string;

  beforeAll(async () => {
    dir = await tempDir('pmt-out-of-date-');
    buildDir = join(dir.path, 'scanner');
    await mkdir(buildDir);
    await writeFile(join(buildDir, 'Dockerfile'), 'FROM debian:bookworm-slim\nCOPY scan /usr/local/bin/scan\n');
    await writeFile(join(buildDir, 'scan'), '#!/bin/sh\necho v1 > /result/out.txt\n', { mode: 0o755 });
    registry = join(dir.path, 'my-plugins.yaml');
    await writeFile(
      registry,
      `version: R1.0\nplugins:\n  - name: scanner\n    version: 1.0.0\n    docker_image: ${image}\n    build: scanner\n    shell: /bin/sh\n    cmd: scan\n    results: [out.txt]\n`,
    );
    await mkdir(join(dir.path, 'repo'));
    await writeFile(join(dir.path, 'repo', 'a.txt'), 'a\n');
    // The way the guide builds images: the script labels each with its build directory's hash.
    await run('bash', [join(REPO_ROOT, 'scripts', 'build-plugins.sh'), registry], { cwd: dir.path });
  }, 180_000);

  afterAll(async () => {
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
    await dir.remove();
  });

  it('is current right after the build script, and out of date once the scanner changes', async () => {
    const fresh = await runPmt(['-l', '-r', registry], { cwd: dir.path });
    expect(fresh.stdout).toMatch(/^scanner +1\.0\.0 +\S+ +present$/m);
    expect(fresh.stderr).toBe('');
    // No default plugin, no legend for one.
    expect(fresh.stdout).not.toContain('default plugin');

    await writeFile(join(buildDir, 'scan'), '#!/bin/sh\necho v2 > /result/out.txt\n', { mode: 0o755 });
    const expected = `image ${image} is out of date: ${buildDir} changed since the image was built`;
    const hint = `rebuild with \`pmt build -p scanner -r ${registry}\``;

    const listed = await runPmt(['-l', '-r', registry], { cwd: dir.path });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^scanner +1\.0\.0 +\S+ +out of date$/m);
    expect(listed.stderr).toContain(`pmt: warning: ${expected} — `);
    expect(listed.stderr).toContain(hint);

    const doctor = await runPmt(['doctor', '--json', '-r', registry], { cwd: dir.path });
    const finding = (JSON.parse(doctor.stdout) as { findings: { check: string; status: string; message: string; hint?: string }[] }).findings.find((f) => f.check === 'image');
    expect(finding).toMatchObject({ status: 'warn', message: expect.stringContaining(expected) });
    expect(finding?.hint).toBe(hint);

    // The scan runs the image the engine has (v1), and says so.
    const scan = await scanJson(['-r', registry, '-p', 'scanner', '-i', join(dir.path, 'repo'), '-o', join(dir.path, 'out'), '--log-format', 'text'], { cwd: dir.path });
    expect(scan.code).toBe(0);
    expect(scan.stderr).toContain(`warn: ${expected}; running it as it is — rebuild with`);
    expect(await readFile(join(dir.path, 'out', 'scanner_out.txt'), 'utf8')).toBe('v1\n');
    expect(await readFile(scan.report.plugins[0]!.logPath, 'utf8')).toContain(`pmt: warning: ${expected}`);
    expect(scan.report.plugins[0]!.warnings).toEqual([`${expected}; the scan ran it as it is — ${hint}`]);
    // In the summary too, where it is not lost among log lines.
    const summary = await runPmt(['scan', '-r', registry, '-p', 'scanner', '-i', join(dir.path, 'repo'), '-o', join(dir.path, 'out'), '--log-level', 'error'], { cwd: dir.path });
    expect(summary.stdout).toContain(`\nscanner: warning: ${expected}; the scan ran it as it is — ${hint}\n`);

    // The script sees the same hash and rebuilds; then all is current again.
    await run('bash', [join(REPO_ROOT, 'scripts', 'build-plugins.sh'), registry], { cwd: dir.path });
    const rebuilt = await runPmt(['-l', '-r', registry], { cwd: dir.path });
    expect(rebuilt.stdout).toMatch(/^scanner +1\.0\.0 +\S+ +present$/m);
    expect(rebuilt.stderr).toBe('');
  }, 180_000);
});
