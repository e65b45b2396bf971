#!/usr/bin/env node
// One plugin declaring 3 000 small results: `pmt scan` over REST and by archive copy, against the
// engine's own cost of the same container plus one `docker cp` of /result (the baseline), measured
// in the same invocation. Target: each pmt transport ≤ 1.5 × baseline (before results were collected
// in few transfers: 102 s over REST, one curl per file, and 308 s by archive, one engine request per file).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, PMT, printTable, SAMPLE, timed, verdict } from './lib/measure.mjs';

const COUNT = Number(process.env.PMT_BENCH_RESULTS ?? 3000);
const ROUNDS = Number(process.env.PMT_BENCH_ROUNDS ?? 3);
const IMAGE = 'pmt-test/curl:1';
const CMD = `i=0; while [ $i -lt ${COUNT} ]; do echo "result $i" > /result/r$i.txt; i=$((i+1)); done`;
const work = mkdtempSync(join(tmpdir(), 'pmt-bench-results-'));

const names = Array.from({ length: COUNT }, (_, i) => `r${i}.txt`);
writeFileSync(
  join(work, 'plugins.yaml'),
  `version: R1.0\nplugins:\n  - name: many\n    version: "1"\n    docker_image: ${IMAGE}\n    shell: /bin/sh\n    cmd: '${CMD}'\n    results: [${names.join(', ')}]\n`,
);
const baseline = [
  `c=$(docker create --network none -v ${SAMPLE}:/input:ro -v /result ${IMAGE} /bin/sh -c '${CMD}')`,
  'docker start -a "$c" > /dev/null',
  `docker cp "$c":/result - | tar -x -C ${work}/baseline-out`,
  'docker rm -v "$c" > /dev/null',
].join(' && ');

try {
  const modes = { REST: {}, archive: { RestApi: false } };
  const results = { baseline: [], REST: [], archive: [] };
  for (let round = 0; round < ROUNDS; round++) {
    rmSync(join(work, 'baseline-out'), { recursive: true, force: true });
    await timed('mkdir', [join(work, 'baseline-out')]);
    results.baseline.push((await timed('sh', ['-c', baseline])).ms);
    for (const [mode, config] of Object.entries(modes)) {
      writeFileSync(join(work, 'core_engine_config.json'), JSON.stringify(config));
      const out = join(work, `out-${mode}-${round}`);
      const args = ['scan', '-i', SAMPLE, '-r', 'plugins.yaml', '-p', 'many', '--no-cache', '--progress', 'none', '--log-level', 'warn', '-o', out];
      results[mode].push((await timed('node', [PMT, ...args], { cwd: work })).ms);
      rmSync(out, { recursive: true, force: true });
    }
  }
  const base = median(results.baseline);
  printTable([
    ['', 'median s', 'ratio'],
    [`docker create/start + docker cp /result + rm, ${COUNT} files (baseline)`, (base / 1000).toFixed(2), '1.00'],
    ...Object.keys(modes).map((mode) => [`pmt scan, ${COUNT} declared results, ${mode}`, (median(results[mode]) / 1000).toFixed(2), (median(results[mode]) / base).toFixed(2)]),
  ]);
  for (const mode of Object.keys(modes)) {
    const ratio = median(results[mode]) / base;
    console.log(`${mode}: ${ratio.toFixed(2)} × baseline (target ≤ 1.5: ${verdict(ratio <= 1.5)})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
