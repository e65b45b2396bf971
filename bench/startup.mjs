#!/usr/bin/env node
// How fast pmt answers when there is little to do: `pmt -l` (issue 15: ≤ 2.0 × `node -e 0`, an
// earlier goal ≤ 0.20 s median) and a cached re-run of a licensee scan (target ≤ 0.35 s), next to
// `node -e 0` measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_LIST, median, PMT, printTable, REGISTRY, SAMPLE, timed, verdict } from './lib/measure.mjs';
import { prepareYaml } from './lib/yaml-island.mjs';

const ROUNDS = Number(process.env.PMT_BENCH_ROUNDS ?? 15);
const work = mkdtempSync(join(tmpdir(), 'pmt-bench-startup-'));
const env = { ...process.env, XDG_CACHE_HOME: join(work, 'cache') };
prepareYaml();
const scan = ['scan', '-r', REGISTRY, '-i', SAMPLE, '-p', 'licensee', '-o', join(work, 'out'), '--no-upload', '--progress', 'none', '--log-level', 'warn'];

try {
  await timed('node', [PMT, ...scan], { cwd: work, env }); // fills the cache
  const node = [];
  const list = [];
  const cached = [];
  const minimal = [];
  for (let i = 0; i < ROUNDS; i++) {
    node.push((await timed('node', ['-e', '0'])).ms);
    list.push((await timed('node', [PMT, '-l', '-r', REGISTRY], { cwd: work, env })).ms);
    minimal.push((await timed('node', [MIN_LIST, REGISTRY])).ms);
    const rerun = await timed('node', [PMT, ...scan, '--json'], { cwd: work, env });
    if (JSON.parse(rerun.stdout).plugins[0].status !== 'cached') throw new Error('the re-run was not served from the cache');
    cached.push(rerun.ms);
  }
  printTable([
    ['', 'median ms', 'min ms', 'ratio to node -e 0'],
    ['node -e 0 (baseline)', median(node).toFixed(0), Math.min(...node).toFixed(0), '1.00'],
    ['pmt -l', median(list).toFixed(0), Math.min(...list).toFixed(0), (median(list) / median(node)).toFixed(2)],
    ['a minimal Node lister: lib/min-list.mjs (floor)', median(minimal).toFixed(0), Math.min(...minimal).toFixed(0), (median(minimal) / median(node)).toFixed(2)],
    ['pmt scan -p licensee (cached)', median(cached).toFixed(0), Math.min(...cached).toFixed(0), (median(cached) / median(node)).toFixed(2)],
  ]);
  const listRatio = median(list) / median(node);
  console.log(`pmt -l median ${(median(list) / 1000).toFixed(3)} s = ${listRatio.toFixed(2)} × node -e 0 (issue 15 goal ≤ 2.0 ×: ${verdict(listRatio <= 2)}; earlier goal ≤ 0.20 s: ${verdict(median(list) <= 200)})`);
  const floorRatio = median(minimal) / median(node);
  console.log(`a minimal Node lister of the same registry: ${floorRatio.toFixed(2)} × node -e 0 (${floorRatio > 2 ? 'above the 2.0 × goal: out of reach for a Node CLI' : 'within the 2.0 × goal'}); pmt -l = ${(median(list) / median(minimal)).toFixed(2)} × it`);
  console.log(`cached re-run median ${(median(cached) / 1000).toFixed(3)} s (target ≤ 0.35 s: ${verdict(median(cached) <= 350)})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
