#!/usr/bin/env node
// Benchmark: one 1 GiB result file through pmt's REST transport and through archive copy, each as
// `node dist/pmt.cjs scan` in a child process, against a bare `docker cp` of the same file
// measured in the same invocation. Prints a table with ratios and the targets; always exits 0
// once it has measured (it is a benchmark, not a test). Needs `npm run build` and the test image
// pmt-test/curl:1 (built by `npm test`, or `docker build --network host -t pmt-test/curl:1
// test/support/images/curl`). PMT_BENCH_BYTES overrides the size (for a quick try) and
// PMT_BENCH_ROUNDS the number of rounds (default 3; the table shows medians, and the peak RSS max).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PMT } from './lib/measure.mjs';

const run = promisify(execFile);
const MiB = 2 ** 20;
const BYTES = Number(process.env.PMT_BENCH_BYTES ?? 2 ** 30);
const ROUNDS = Number(process.env.PMT_BENCH_ROUNDS ?? 3);
const IMAGE = 'pmt-test/curl:1';
const TARGET_MBPS = 300;
const TARGET_RSS_MIB = 150;
const TIME = ['/usr/bin/time', '/bin/time'].find((path) => existsSync(path));
// The plugin prints the host clock (containers share the kernel's) when its file is complete, so
// "transfer" below starts exactly when the file is there in /result.
const WRITE_AND_MARK = `head -c ${BYTES} /dev/zero > /result/big.bin && date +pmt-bench-written=%s.%N`;

async function main() {
  if (!existsSync(PMT)) return fail(`${PMT} is missing: run \`npm run build\` first`);
  await run('docker', ['image', 'inspect', IMAGE]).catch(() => fail(`image ${IMAGE} is missing: run \`npm test\` once, or \`docker build --network host -t ${IMAGE} test/support/images/curl\``));
  const root = await mkdtemp(join(tmpdir(), 'pmt-bench-'));
  const label = `pmt.bench=${root}`;
  try {
    await mkdir(join(root, 'input'));
    await writeFile(join(root, 'input', 'README'), 'bench fixture\n');
    const registry = join(root, 'plugins.yaml');
    await writeFile(registry, `version: R1.0\nplugins:\n  - name: big\n    version: 1.0.0\n    docker_image: ${IMAGE}\n    shell: /bin/sh\n    cmd: ${JSON.stringify(WRITE_AND_MARK)}\n    results: [big.bin]\n`);
    console.log(`pmt transport benchmark: ${(BYTES / MiB).toFixed(0)} MiB result file; peak RSS from ${TIME ? `${TIME} (wait4 rusage)` : '/proc/<pid>/status VmHWM polled every 20 ms'}`);
    console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine shows up in every column)`);
    const runs = { baseline: [], rest: [], archive: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      // Interleaved, each after a `sync`: dirty pages of the previous run's gigabytes would
      // otherwise be written back during the next measurement.
      await sync();
      runs.baseline.push(await baseline(root, label));
      await sync();
      runs.rest.push(await pmtScan(root, registry, 'rest', true));
      await sync();
      runs.archive.push(await pmtScan(root, registry, 'archive', false));
      console.log(`round ${round}/${ROUNDS} done`);
    }
    printTable([summarise('docker cp (baseline)', runs.baseline), summarise('pmt scan, rest', runs.rest), summarise('pmt scan, archive', runs.archive)]);
  } finally {
    await removeLabelled(label);
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * The same work with the docker CLI: run a container with a /result volume, write the file in it,
 * then (timed as the transfer) `docker cp` it out and `docker rm -v` the container and its volume.
 */
async function baseline(root, label) {
  const started = performance.now();
  const { stdout } = await run('docker', ['run', '-d', '--init', '--network', 'none', '-l', label, '-v', '/result', IMAGE, 'sleep', 'infinity']);
  const id = stdout.trim();
  await run('docker', ['exec', id, 'sh', '-c', `head -c ${BYTES} /dev/zero > /result/big.bin`]);
  const copyStart = performance.now();
  const dest = join(root, 'baseline.bin');
  await run('docker', ['cp', `${id}:/result/big.bin`, dest]);
  const copyEnd = performance.now();
  await run('docker', ['rm', '-f', '-v', id]);
  const removed = performance.now();
  await checkSize(dest);
  await rm(dest);
  return { wallS: (removed - started) / 1000, transferS: (removed - copyStart) / 1000, collectS: (copyEnd - copyStart) / 1000, saveS: (removed - copyEnd) / 1000 };
}

async function pmtScan(root, registry, name, restApi) {
  const dir = join(root, name);
  await mkdir(dir);
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ RestApi: restApi, MaxResultFileBytes: BYTES * 2, MaxRunResultBytes: BYTES * 2, PathDirResults: join(dir, 'results'), PathDirLogs: join(dir, 'logs') }));
  // --no-cache: later rounds must not get the result restored from pmt's result cache.
  // Debug level: the container's removal is logged, and pmt removes it while it saves the results.
  const args = [PMT, 'scan', '-i', join(root, 'input'), '-r', registry, '-c', config, '-p', 'big', '--json', '--log-format', 'json', '--log-level', 'debug', '--no-cache'];
  const measured = await measureChild(process.execPath, args, dir);
  if (measured.code !== 0) throw new Error(`pmt scan (${name}) exited with ${measured.code}:\n${measured.stderr.slice(-2000)}`);
  const report = JSON.parse(measured.stdout);
  const left = await removeLabelled(`pmt.run=${report.runId}`);
  if (left > 0) console.warn(`pmt left ${left} container(s) of run ${report.runId}; removed them`);
  const plugin = report.plugins[0];
  if (plugin.transport !== name) throw new Error(`pmt used transport ${plugin.transport}, expected ${name}`);
  await checkSize(plugin.results[0].localPath);
  const log = await readFile(plugin.logPath, 'utf8');
  const writtenAt = Number(/pmt-bench-written=(\d+\.\d+)/.exec(log)?.[1]) * 1000;
  const doneAt = logTime(measured.stderr, /^Done: /);
  // On the host's disk and the container gone, whichever came last.
  const savedAt = Math.max(logTime(measured.stderr, /^Results saved in /), logTime(measured.stderr, /^Container removed$/));
  await rm(dir, { recursive: true, force: true });
  return {
    wallS: measured.wallS,
    transferS: (savedAt - writtenAt) / 1000,
    collectS: (doneAt - writtenAt) / 1000,
    saveS: (savedAt - doneAt) / 1000,
    rssMiB: measured.rssKiB / 1024,
  };
}

/** Runs a child to its end: wall time, output, and peak RSS (`time`'s rusage, else polled VmHWM). */
function measureChild(command, args, dir) {
  const timeFile = join(dir, 'time.txt');
  const [file, argv] = TIME ? [TIME, ['-f', '%M', '-o', timeFile, command, ...args]] : [command, args];
  const started = performance.now();
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let hwm = 0;
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // VmHWM is the kernel's own high-water mark, so a poll misses only growth in the last 20 ms.
  const poll = TIME ? undefined : setInterval(() => readFile(`/proc/${child.pid}/status`, 'utf8').then((s) => (hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0)))).catch(() => undefined), 20);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', async (code) => {
      clearInterval(poll);
      const wallS = (performance.now() - started) / 1000;
      const rssKiB = TIME ? Number((await readFile(timeFile, 'utf8')).trim().split('\n').pop()) : hwm;
      resolve({ code, stdout, stderr, wallS, rssKiB });
    });
  });
}

/** Epoch ms of the first pino JSON line whose msg matches. */
function logTime(stderr, pattern) {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line);
    if (pattern.test(entry.msg ?? '')) return Date.parse(entry.time);
  }
  throw new Error(`no log line matches ${pattern}`);
}

async function checkSize(path) {
  const { size } = await stat(path);
  if (size !== BYTES) throw new Error(`${path} has ${size} bytes, expected ${BYTES}`);
}

function summarise(name, runs) {
  const median = (key) => {
    const values = runs.map((r) => r[key]).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };
  const rss = runs.map((r) => r.rssMiB).filter((v) => v !== undefined);
  return { name, wallS: median('wallS'), transferS: median('transferS'), collectS: median('collectS'), saveS: median('saveS'), rssMiB: rss.length ? Math.max(...rss) : undefined };
}

function sync() {
  return run('sync');
}

function printTable(rows) {
  const base = rows[0];
  const mbps = (row) => BYTES / 1e6 / row.transferS;
  const collectMbps = (row) => BYTES / 1e6 / row.collectS;
  const table = [['', 'wall s', 'transfer s', 'MB/s', 'vs cp', 'cp|collect s', 'MB/s', 'rm+save s', 'peak RSS MiB']];
  for (const row of rows) {
    table.push([
      row.name,
      row.wallS.toFixed(2),
      row.transferS.toFixed(2),
      mbps(row).toFixed(0),
      `${(mbps(row) / mbps(base)).toFixed(2)}x`,
      row.collectS.toFixed(2),
      collectMbps(row).toFixed(0),
      row.saveS.toFixed(2),
      row.rssMiB?.toFixed(1) ?? '-',
    ]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  console.log(`medians of ${ROUNDS} round(s); peak RSS: the highest. transfer = file complete in the container → on the host's disk and container removed`);
  console.log('(pmt: collect into its store, then save to the results dir while the container is removed; baseline: docker cp, docker rm -v). MB/s = 10^6 bytes/s of transfer.');
  for (const row of rows.slice(1)) {
    const fast = mbps(row) >= TARGET_MBPS;
    const lean = row.rssMiB <= TARGET_RSS_MIB;
    const collectFast = collectMbps(row) >= TARGET_MBPS ? 'meets' : 'misses';
    console.log(`${row.name}: ${fast ? 'MEETS' : 'MISSES'} ≥ ${TARGET_MBPS} MB/s for the transfer (collect alone ${collectFast} it); ${lean ? 'MEETS' : 'MISSES'} peak RSS ≤ ${TARGET_RSS_MIB} MiB`);
  }
}

/** Removes the containers carrying `label`; returns how many there were. */
async function removeLabelled(label) {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=${label}`]);
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await run('docker', ['rm', '-f', '-v', ...ids]);
  return ids.length;
}

function fail(message) {
  console.error(`transport-1gib: ${message}`);
  process.exit(1);
}

await main();
