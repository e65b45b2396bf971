import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { REPO_ROOT, tempDir, writeConfig } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

const run = promisify(execFile);

/** What an operator or a cleanup job may do to a plugin's container while pmt runs it. */
const FROM_OUTSIDE: Record<string, (id: string) => Promise<unknown>> = {
  'outside-kill': (id) => docker.getContainer(id).kill(),
  'outside-stop': (id) => docker.getContainer(id).stop({ t: 1 }),
  'outside-rm': (id) => docker.getContainer(id).remove({ force: true, v: true }),
};

/** Rows of the guide's table that give advice and quote no message of pmt's. */
const ADVICE_ROWS = ['A scanner tries to download something'];

/** The guide's troubleshooting table: per row, the message patterns quoted (code spans) in its first cell. */
async function troubleshootingRows(): Promise<{ cell: string; patterns: string[] }[]> {
  const guide = await readFile(join(REPO_ROOT, 'docs', 'writing-a-plugin.md'), 'utf8');
  const section = guide.split('\n## 8. Troubleshooting\n')[1]!.split('\n## ')[0]!;
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Symptom') && !line.startsWith('|---'));
  return rows.map((row) => {
    const cell = firstCell(row);
    // ``a `b` c`` (double backticks, may hold single ones) or `a`.
    const patterns = [...cell.matchAll(/``\s?(.+?)\s?``|`([^`]+)`/g)].map((m) => (m[1] ?? m[2])!);
    return { cell, patterns };
  });
}

/** The first cell of a table row; a `|` inside a code span does not end it. */
function firstCell(row: string): string {
  let inCode = false;
  for (let i = 2; i < row.length; i++) {
    if (row[i] === '`') inCode = !inCode;
    if (!inCode && row.startsWith(' | ', i)) return row.slice(2, i);
  }
  return row.slice(2);
}

/** Polls until `probe` gives a value (a minute at most): hooks cannot use expect.poll. */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let waited = 0; waited < 60_000; waited += 200) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('gave up waiting for a plugin container to run its command');
}

/** `…` (or `...`) stands for any text; everything else must appear as written. */
function patternToRegExp(pattern: string): RegExp {
  return new RegExp(pattern.split(/…|\.\.\./).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*?'));
}

/**
 * Every message the guide's troubleshooting table quotes is one pmt really prints: each scenario
 * below breaks a plugin the way the row describes, on the real engine, and the row's quoted text
 * must match what came out. A row whose text drifts from pmt's, or a new row no scenario
 * produces, fails here.
 */
describe("the plugin guide's troubleshooting table", () => {
  const outdated = `pmt-test/outdated-${randomBytes(4).toString('hex')}:1`;
  let dir: { path: string; remove: () => Promise<void> };
  let results: string;
  let mounted = false;
  const printed: string[] = [];

  beforeAll(async () => {
    dir = await tempDir('pmt-troubleshooting-');
    const input = join(dir.path, 'repo');
    await mkdir(input);
    await writeFile(join(input, 'a.txt'), 'a\n');
    await writeFile(join(input, 'secret'), 'only the owner\n');
    await chmod(join(input, 'secret'), 0o000);
    // An image built from an older state of its build directory (its label names another hash).
    const buildDir = join(dir.path, 'outdated');
    await mkdir(buildDir);
    await writeFile(join(buildDir, 'Dockerfile'), `FROM ${TestImages.curl}\n`);
    await run('docker', ['build', '--quiet', '--label', 'pmt.build-context=0000000000000000', '-t', outdated, buildDir]);
    // A results directory that fills up: a 32 KiB tmpfs (the tests run as root).
    results = join(dir.path, 'results');
    await mkdir(results);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32k,mode=0755', 'pmt-test-full', results]);
    mounted = true;

    const curl = TestImages.curl;
    const selfPost =
      'echo x > /result/other.txt; curl -sS --fail-with-body -H "Authorization: Bearer $PMT_TOKEN" -F "name=$PMT_PLUGIN_NAME" -F "id=$PMT_PLUGIN_ID" ' +
      '-F "result=@/result/other.txt" --unix-socket "$PMT_API_SOCKET" http://pmt/save; echo x > /result/r.txt';
    const plugin = (name: string, cmd: string, extra: Record<string, unknown> = {}) => ({
      name, version: '1.0.0', docker_image: curl, shell: '/bin/sh', cmd, results: ['r.txt'], ...extra,
    });
    const registry = join(dir.path, 'plugins.json');
    await writeFile(registry, JSON.stringify({
      version: 'R1.0',
      plugins: [
        plugin('shell-less', 'true', { shell: '/bin/no-such-shell' }),
        plugin('not-a-shell', 'true', { shell: '/bin/cat' }),
        plugin('killer', 'kill 0'),
        plugin('no-curl', 'echo x > /result/r.txt', { docker_image: TestImages.shell }),
        plugin('exits', 'echo boom >&2; exit 7'),
        plugin('writes-input', 'touch /input/x'),
        plugin('reads-secret', 'cat /input/secret'),
        plugin('writes-home', 'touch /root/x', { user: '1000' }),
        plugin('misnamed', 'echo x > /result/r.txt', { results: ['r.tsv'] }),
        plugin('links', 'ln -s /etc/hostname /result/r.txt'),
        plugin('unreadable', 'echo x > /result/r.txt; chmod 000 /result/r.txt'),
        plugin('self-post', selfPost),
        plugin('too-big', 'head -c 65536 /dev/zero > /result/r.txt'),
        plugin('too-much', 'head -c 30720 /dev/zero > /result/r.txt; cp /result/r.txt /result/s.txt', { results: ['r.txt', 's.txt'] }),
        plugin('fills-disk', 'head -c 40960 /dev/zero > /result/r.txt'),
        plugin('never-built', 'true', { docker_image: 'pmt-test/never-built:1', build: 'nowhere' }),
        plugin('outdated', 'echo x > /result/r.txt', { docker_image: outdated, build: 'outdated' }),
        plugin('unpullable', 'true', { docker_image: 'localhost:1/pmt-test/nope:1' }),
        plugin('slow', 'sleep 30', { timeout: '1s' }),
        // Ended by someone else while their command runs (below).
        ...Object.keys(FROM_OUTSIDE).map((name) => plugin(name, 'sleep 300')),
      ],
    }));
    const config = await writeConfig(dir.path, { RestApi: true, RestFallback: true, MaxResultFileBytes: '48KiB', MaxRunResultBytes: '50KiB' });
    const scanning = scanJson(['-r', registry, '-c', config, '-p', 'all', '-i', input, '-o', results, '--no-cache', '--log-format', 'text'], { cwd: dir.path });
    for (const [name, act] of Object.entries(FROM_OUTSIDE)) {
      // Once its command runs: its container is up and `sleep 300` is among its processes.
      const id = await waitFor(async () => {
        const running = (await containersWithLabels(`pmt.plugin=${name}`)).filter((c) => c.State === 'running' && c.Mounts.some((m) => m.Source === input));
        const candidate = running[0]?.Id;
        const top = candidate ? await docker.getContainer(candidate).top().catch(() => undefined) : undefined;
        return top && JSON.stringify(top.Processes).includes('sleep 300') ? candidate : undefined;
      });
      await act(id);
    }
    const scan = await scanning;
    printed.push(scan.stderr, ...scan.report.plugins.flatMap((p) => (p.error ? [p.error.message] : [])));

    const core = join(dir.path, 'core.json');
    await writeFile(core, JSON.stringify({ version: 'R1.0', plugins: [plugin('future', 'true', { core_version: '>=2' })] }));
    printed.push((await runPmt(['scan', '-r', core, '-p', 'future', '-i', input], { cwd: dir.path })).stderr);

    const invalid = join(dir.path, 'invalid.json');
    await writeFile(invalid, JSON.stringify({
      version: 'R1.0',
      plugins: [
        plugin('commas', 'true', { results: ['a,b.txt'], shell: '/bin/sh -e' }),
        plugin('a_b', 'true', { results: ['c'] }),
        plugin('a', 'true', { results: ['b_c'] }),
      ],
    }));
    printed.push((await runPmt(['validate', '-r', invalid], { cwd: dir.path })).stderr);
  }, 180_000);

  afterAll(async () => {
    if (mounted) execFileSync('umount', [results]);
    await docker.getImage(outdated).remove({ force: true }).catch(() => undefined);
    await dir.remove();
  });

  it('quotes, in every row, a message pmt really printed for that mistake', async () => {
    const rows = await troubleshootingRows();
    expect(rows.length).toBeGreaterThan(15);
    const unmatched: string[] = [];
    for (const row of rows) {
      if (ADVICE_ROWS.includes(row.cell)) continue;
      if (row.patterns.length === 0) unmatched.push(`${row.cell}: quotes no message`);
      for (const pattern of row.patterns) {
        if (!printed.some((text) => patternToRegExp(pattern).test(text))) unmatched.push(pattern);
      }
    }
    expect(unmatched, `pmt printed:\n${printed.join('\n')}`).toEqual([]);
  });
});
