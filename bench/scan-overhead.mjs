#!/usr/bin/env node
// pmt scan -p licensee vs a bare `docker run --rm` of the same image and command on the same repo,
// alternated so that both see the same machine load. Target (issue 15): median ratio ≤ 1.30.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_CLIENT, median, PMT_STEPS_CLIENT, PMT, printTable, REGISTRY, SAMPLE, timed, verdict } from './lib/measure.mjs';
import { prepareYaml } from './lib/yaml-island.mjs';
import { sameStepsBaseline } from './lib/same-steps.mjs';

const ROUNDS = Number(process.env.PMT_BENCH_ROUNDS ?? 7);
const IMAGE = 'pmt/licensee:9.15.2';
const CMD = 'licensee detect /input --json > /result/result.json';
const work = mkdtempSync(join(tmpdir(), 'pmt-bench-overhead-'));

prepareYaml();
const floor = await sameStepsBaseline();
try {
  const pmt = [];
  const bare = [];
  const sameSteps = [];
  const minimal = [];
  const steps = [];
  const pmtVersion = [];
  const nodeAlone = [];
  const run = (i) => ['scan', '-r', REGISTRY, '-i', SAMPLE, '-p', 'licensee', '-o', join(work, `out-${i}`), '--no-cache', '--no-upload', '--progress', 'none', '--log-level', 'warn'];
  await timed('node', [PMT, ...run('warm')], { cwd: work }); // first run pays for page cache and image layers
  for (let i = 0; i < ROUNDS; i++) {
    const out = join(work, `bare-${i}`);
    bare.push((await timed('docker', ['run', '--rm', '--network', 'none', '-v', `${SAMPLE}:/input:ro`, '-v', `${out}:/result`, IMAGE, '/bin/sh', '-c', CMD])).ms);
    pmt.push((await timed('node', [PMT, ...run(i)], { cwd: work })).ms);
    // The same container doing what a plugin's container does under pmt (check, command, upload).
    sameSteps.push((await timed('sh', ['-c', floor.command(1, 1, IMAGE, CMD, SAMPLE, 'result.json')])).ms);
    // The least a Node client does for the same result: Node, the registry's YAML, dockerode.
    minimal.push((await timed('node', [MIN_CLIENT, REGISTRY, SAMPLE, '--plugin', 'licensee', '--out', join(work, `min-${i}`)])).ms);
    // pmt's own engine and container steps in a bare Node client, with nothing else of pmt.
    steps.push((await timed('node', [PMT_STEPS_CLIENT, REGISTRY, SAMPLE, '--plugin', 'licensee', '--out', join(work, `steps-${i}`)])).ms);
    // Context for the fixed overhead: Node's own start, and pmt's start with no work at all.
    nodeAlone.push((await timed('node', ['-e', '0'])).ms);
    pmtVersion.push((await timed('node', [PMT, '--help'], { cwd: work })).ms);
  }
  const ratios = pmt.map((ms, i) => ms / bare[i]);
  printTable([
    ['', 'median ms', 'min ms'],
    ['docker run --rm (baseline)', median(bare).toFixed(0), Math.min(...bare).toFixed(0)],
    ['pmt scan -p licensee', median(pmt).toFixed(0), Math.min(...pmt).toFixed(0)],
    ['node -e 0 (context)', median(nodeAlone).toFixed(0), Math.min(...nodeAlone).toFixed(0)],
    ['pmt --help (context)', median(pmtVersion).toFixed(0), Math.min(...pmtVersion).toFixed(0)],
    ["docker run --rm doing pmt's REST steps (context)", median(sameSteps).toFixed(0), Math.min(...sameSteps).toFixed(0)],
    ['a minimal Node client: lib/min-client.mjs (floor)', median(minimal).toFixed(0), Math.min(...minimal).toFixed(0)],
    ["pmt's engine and container steps, nothing else: lib/pmt-steps-client.mjs (floor)", median(steps).toFixed(0), Math.min(...steps).toFixed(0)],
  ]);
  console.log(`fixed overhead of pmt: ${(median(pmt) - median(bare)).toFixed(0)} ms, of which ${median(pmtVersion).toFixed(0)} ms is starting Node and loading pmt (${median(nodeAlone).toFixed(0)} ms Node alone)`);
  const ratio = median(ratios);
  console.log(`median ratio pmt / bare run: ${ratio.toFixed(2)} (target ≤ 1.30: ${verdict(ratio <= 1.3)}), ${ROUNDS} alternated rounds`);
  // What the same steps cost with nothing of pmt's orchestration: the container doing pmt's REST
  // steps, plus starting Node and loading pmt with no work at all.
  const floorMs = median(sameSteps) + median(pmtVersion);
  console.log(`floor (the same container steps + pmt --help): ${floorMs.toFixed(0)} ms = ${(floorMs / median(bare)).toFixed(2)} × the bare run; pmt = ${(median(pmt) / floorMs).toFixed(2)} × that floor`);
  const minimalRatio = median(minimal.map((ms, i) => ms / bare[i]));
  console.log(`a minimal Node client of the same job: ${minimalRatio.toFixed(2)} × the bare run (median of the rounds' ratios; ${minimalRatio > 1.3 ? 'above the 1.30 goal: out of reach for a Node client' : 'within the 1.30 goal'}); pmt = ${(ratio / minimalRatio).toFixed(2)} × it`);
  const stepsRatio = median(steps.map((ms, i) => ms / bare[i]));
  console.log(`pmt's own steps in a bare Node client: ${stepsRatio.toFixed(2)} × the bare run (${stepsRatio > 1.3 ? 'above the 1.30 goal: out of reach with these steps' : 'within the 1.30 goal'}); pmt = ${(ratio / stepsRatio).toFixed(2)} × it`);
} finally {
  await floor.close();
  rmSync(work, { recursive: true, force: true });
}
