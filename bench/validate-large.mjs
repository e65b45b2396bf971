#!/usr/bin/env node
// How `pmt validate` scales with the size of a broken registry: one plugin entry with 10 000 and
// with 40 000 unknown keys (every one a problem). Linear work means the 40 000-key run takes about
// 4 × the 10 000-key one (target: ratio ≤ 6, allowing for Node's start-up in both); the quadratic
// validation this replaced took 176 s for 40 000 keys. Also prints `pmt validate` of the bundled
// registry as the baseline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, PMT, printTable, REGISTRY, timed, verdict } from './lib/measure.mjs';

const ROUNDS = Number(process.env.PMT_BENCH_ROUNDS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'pmt-bench-validate-'));
const entry = 'version: R1.0\nplugins:\n  - name: many\n    version: "1"\n    docker_image: x\n    shell: /bin/sh\n    cmd: "true"\n    results: [r.txt]\n';
const registry = (keys) => {
  const file = join(work, `keys-${keys}.yaml`);
  writeFileSync(file, entry + Array.from({ length: keys }, (_, i) => `    k${i}: 1\n`).join(''));
  return file;
};

try {
  const small = registry(10_000);
  const large = registry(40_000);
  const runs = { base: [], small: [], large: [] };
  for (let i = 0; i < ROUNDS; i++) {
    runs.base.push((await timed('node', [PMT, 'validate', '-r', REGISTRY], { cwd: work, allowFailure: true })).ms);
    runs.small.push((await timed('node', [PMT, 'validate', '-r', small], { cwd: work, allowFailure: true })).ms);
    runs.large.push((await timed('node', [PMT, 'validate', '-r', large], { cwd: work, allowFailure: true })).ms);
  }
  const [base, s, l] = [median(runs.base), median(runs.small), median(runs.large)];
  printTable([
    ['', 'median ms', 'ratio to bundled registry'],
    ['validate bundled plugins.yaml (baseline)', base.toFixed(0), '1.00'],
    ['validate 10 000 unknown keys', s.toFixed(0), (s / base).toFixed(2)],
    ['validate 40 000 unknown keys', l.toFixed(0), (l / base).toFixed(2)],
  ]);
  console.log(`40 000 / 10 000 keys: ${(l / s).toFixed(2)} × (target ≤ 6, linear ≈ 4: ${verdict(l / s <= 6)})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
