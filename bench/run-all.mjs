#!/usr/bin/env node
// Runs every benchmark in this directory, one after the other (they share the engine and the disk).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
// swarm-baseline.mjs holds swarm.mjs's baselines, which swarm.mjs measures in its own rounds.
const NOT_ALONE = new Set(['run-all.mjs', 'swarm-baseline.mjs']);
const benches = readdirSync(here).filter((name) => name.endsWith('.mjs') && !NOT_ALONE.has(name)).sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n=== ${name}`);
  const { status } = spawnSync(process.execPath, [`${here}${name}`], { stdio: 'inherit' });
  if (status !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
