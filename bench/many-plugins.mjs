#!/usr/bin/env node
// 100 trivial plugins through `pmt scan --concurrency 8` vs the same 100 containers run by
// `xargs -P8 docker run --rm`, in the same invocation. Target (issue 15): pmt ≤ 1.10 × xargs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_CLIENT, median, PMT, PMT_STEPS_CLIENT, printTable, SAMPLE, timed, verdict } from './lib/measure.mjs';
import { prepareYaml } from './lib/yaml-island.mjs';
import { sameStepsBaseline } from './lib/same-steps.mjs';

const COUNT = Number(process.env.PMT_BENCH_PLUGINS ?? 100);
const ROUNDS = Number(process.env.PMT_BENCH_ROUNDS ?? 3);
const IMAGE = 'pmt-test/curl:1';
const CMD = 'echo ok > /result/result.txt';
const work = mkdtempSync(join(tmpdir(), 'pmt-bench-many-'));

const plugins = Array.from({ length: COUNT }, (_, i) => `  - name: trivial-${i}\n    version: "1"\n    docker_image: ${IMAGE}\n    shell: /bin/sh\n    cmd: ${CMD}\n    results: [result.txt]\n`);
writeFileSync(join(work, 'plugins.yaml'), `version: R1.0\nplugins:\n${plugins.join('')}`);
const xargs = `seq ${COUNT} | xargs -P8 -I{} docker run --rm --network none -v ${SAMPLE}:/input:ro -v /result ${IMAGE} /bin/sh -c '${CMD} && cat /result/result.txt' > /dev/null`;

prepareYaml();
const floor = await sameStepsBaseline();
try {
  const modes = { REST: {}, archive: { RestApi: false } };
  const results = { xargs: [], floor: [], archiveFloor: [], steps: [], REST: [], archive: [] };
  // The machine's busy CPU during each run: on 2 saturated cores the wall time follows it, and it
  // counts the engine's work for the run (dockerd, containerd, shims, runc, the containers), not
  // only the client's.
  const busy = Object.fromEntries(Object.keys(results).map((key) => [key, []]));
  const record = (key, { ms, busyMs }) => {
    results[key].push(ms);
    if (busyMs !== undefined) busy[key].push(busyMs);
  };
  for (let round = 0; round < ROUNDS; round++) {
    record('xargs', await timed('sh', ['-c', xargs]));
    record('floor', await timed('sh', ['-c', floor.command(COUNT, 8, IMAGE, CMD, SAMPLE)]));
    record('archiveFloor', await timed('node', [MIN_CLIENT, 'plugins.yaml', SAMPLE, '--concurrency', '8', '--archive'], { cwd: work }));
    record('steps', await timed('node', [PMT_STEPS_CLIENT, 'plugins.yaml', SAMPLE, '--concurrency', '8', '--out', join(work, `steps-${round}`)], { cwd: work }));
    for (const [mode, config] of Object.entries(modes)) {
      writeFileSync(join(work, 'core_engine_config.json'), JSON.stringify(config));
      const args = ['scan', '-i', SAMPLE, '-r', 'plugins.yaml', '-p', 'all', '--concurrency', '8', '--no-cache', '--progress', 'none', '--log-level', 'warn', '-o', join(work, `out-${mode}-${round}`)];
      record(mode, await timed('node', [PMT, ...args], { cwd: work }));
    }
  }
  const cpu = (key) => (busy[key].length ? `${(median(busy[key]) / 1000).toFixed(1)}` : 'n/a');
  const base = median(results.xargs);
  printTable([
    ['', 'median s', 'ratio', 'machine CPU s'],
    [`xargs -P8 docker run --rm ×${COUNT} (baseline)`, (base / 1000).toFixed(2), '1.00', cpu('xargs')],
    [`the same, each container doing pmt's REST steps (REST floor)`, (median(results.floor) / 1000).toFixed(2), (median(results.floor) / base).toFixed(2), cpu('floor')],
    [`a minimal Node client (lib/min-client.mjs --archive): create, start, wait, archive /result, remove (archive floor)`, (median(results.archiveFloor) / 1000).toFixed(2), (median(results.archiveFloor) / base).toFixed(2), cpu('archiveFloor')],
    [`pmt's engine and container steps over REST, nothing else (lib/pmt-steps-client.mjs)`, (median(results.steps) / 1000).toFixed(2), (median(results.steps) / base).toFixed(2), cpu('steps')],
    ...Object.keys(modes).map((mode) => [`pmt scan, ${mode} transport`, (median(results[mode]) / 1000).toFixed(2), (median(results[mode]) / base).toFixed(2), cpu(mode)]),
  ]);
  for (const mode of Object.keys(modes)) {
    const ratio = median(results[mode]) / base;
    const floorMs = median(mode === 'REST' ? results.floor : results.archiveFloor);
    console.log(`${mode}: ${ratio.toFixed(2)} × xargs (target ≤ 1.10: ${verdict(ratio <= 1.1)}), ${(median(results[mode]) / floorMs).toFixed(2)} × its floor${mode === 'REST' ? `, ${(median(results.REST) / median(results.steps)).toFixed(2)} × its own steps in a bare client` : ''}`);
  }
} finally {
  await floor.close();
  rmSync(work, { recursive: true, force: true });
}
