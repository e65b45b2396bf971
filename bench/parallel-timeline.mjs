#!/usr/bin/env node
// 8 plugins that each sleep 2 s, `pmt scan --concurrency 8` against `seq 8 | xargs -P8 docker run
// --rm` of the same containers, in the same invocation (issue 15: target ≤ 1.10 ×). Prints, for the
// last pmt run, a timeline per plugin read from pmt's own debug log — create, check, attached, started,
// cmd, upload, done, saved, removed, in ms from the run's first log line — and pmt's own CPU
// time (user + system, from /usr/bin/time), so that what is serial shows up.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_CLIENT, median, PMT, PMT_STEPS_CLIENT, printTable, SAMPLE, timed, verdict } from './lib/measure.mjs';
import { timelinePhases } from './lib/timeline-phases.mjs';
import { prepareYaml } from './lib/yaml-island.mjs';
import { sameStepsBaseline } from './lib/same-steps.mjs';

const COUNT = Number(process.env.PMT_BENCH_PLUGINS ?? 8);
const ROUNDS = Number(process.env.PMT_BENCH_ROUNDS ?? 3);
const IMAGE = 'pmt-test/curl:1';
const CMD = 'sleep 2; echo ok > /result/result.txt';
const TIME = '/usr/bin/time';
const work = mkdtempSync(join(tmpdir(), 'pmt-bench-timeline-'));

const plugins = Array.from({ length: COUNT }, (_, i) => `  - name: sleeper-${i}\n    version: "1"\n    docker_image: ${IMAGE}\n    shell: /bin/sh\n    cmd: ${CMD}\n    results: [result.txt]\n`);
writeFileSync(join(work, 'plugins.yaml'), `version: R1.0\nplugins:\n${plugins.join('')}`);
const xargs = `seq ${COUNT} | xargs -P${COUNT} -I{} docker run --rm --network none -v ${SAMPLE}:/input:ro -v /result ${IMAGE} /bin/sh -c '${CMD} && cat /result/result.txt' > /dev/null`;

const PHASES = timelinePhases(CMD);

function timeline(stderr) {
  const lines = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const t0 = Date.parse(lines[0].time);
  const rows = new Map();
  for (const line of lines) {
    if (!line.plugin) continue;
    const phase = PHASES.find(([, matches]) => matches(String(line.msg)));
    if (!phase) continue;
    const row = rows.get(line.plugin) ?? {};
    row[phase[0]] ??= Date.parse(line.time) - t0;
    rows.set(line.plugin, row);
  }
  return [...rows].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
}

prepareYaml();
const floor = await sameStepsBaseline();
try {
  writeFileSync(join(work, 'core_engine_config.json'), '{}');
  const results = { xargs: [], floor: [], minimal: [], steps: [], pmt: [] };
  let last;
  for (let round = 0; round < ROUNDS; round++) {
    results.xargs.push((await timed('sh', ['-c', xargs])).ms);
    results.floor.push((await timed('sh', ['-c', floor.command(COUNT, COUNT, IMAGE, CMD, SAMPLE)])).ms);
    results.minimal.push((await timed('node', [MIN_CLIENT, 'plugins.yaml', SAMPLE, '--concurrency', String(COUNT), '--out', join(work, `min-${round}`)], { cwd: work })).ms);
    results.steps.push((await timed('node', [PMT_STEPS_CLIENT, 'plugins.yaml', SAMPLE, '--concurrency', String(COUNT), '--out', join(work, `steps-${round}`)], { cwd: work })).ms);
    const args = ['scan', '-i', SAMPLE, '-r', 'plugins.yaml', '-p', 'all', '--concurrency', String(COUNT), '--no-cache', '--progress', 'none', '--log-level', 'debug', '--log-format', 'json', '-o', join(work, `out-${round}`)];
    const command = existsSync(TIME) ? [TIME, ['-f', 'pmt-cpu %U %S', 'node', PMT, ...args]] : ['node', [PMT, ...args]];
    last = await timed(command[0], command[1], { cwd: work });
    results.pmt.push(last.ms);
  }
  const base = median(results.xargs);
  const ratio = median(results.pmt) / base;
  printTable([
    ['', 'median s', 'ratio'],
    [`xargs -P${COUNT} docker run --rm ×${COUNT} (baseline)`, (base / 1000).toFixed(2), '1.00'],
    [`the same, each container doing pmt's REST steps (floor)`, (median(results.floor) / 1000).toFixed(2), (median(results.floor) / base).toFixed(2)],
    [`a minimal Node client (lib/min-client.mjs): create, start, wait, remove`, (median(results.minimal) / 1000).toFixed(2), (median(results.minimal) / base).toFixed(2)],
    [`pmt's engine and container steps, nothing else (lib/pmt-steps-client.mjs)`, (median(results.steps) / 1000).toFixed(2), (median(results.steps) / base).toFixed(2)],
    [`pmt scan --concurrency ${COUNT}`, (median(results.pmt) / 1000).toFixed(2), ratio.toFixed(2)],
  ]);
  console.log(`\ntimeline of the last pmt run (ms from its first log line):`);
  printTable([['plugin', ...PHASES.map(([name]) => name)], ...timeline(last.stderr).map(([plugin, row]) => [plugin, ...PHASES.map(([name]) => row[name] ?? '-')])]);
  const cpu = /pmt-cpu ([\d.]+) ([\d.]+)/.exec(last.stderr);
  if (cpu) console.log(`pmt's own CPU in that run: ${(Number(cpu[1]) + Number(cpu[2])).toFixed(2)} s (user ${cpu[1]}, system ${cpu[2]})`);
  console.log(`pmt: ${ratio.toFixed(2)} × xargs (target ≤ 1.10: ${verdict(ratio <= 1.1)}), ${(median(results.pmt) / median(results.floor)).toFixed(2)} × the floor, ${(median(results.pmt) / median(results.steps)).toFixed(2)} × its own steps in a bare client`);
} finally {
  await floor.close();
  rmSync(work, { recursive: true, force: true });
}
