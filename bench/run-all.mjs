#!/usr/bin/env node
// Runs every benchmark in this directory, one after the other (they share the engine and the disk).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const benches = readdirSync(here).filter((name) => name.endsWith('.mjs') && name !== 'run-all.mjs').sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n=== ${name}`);
  const { status } = spawnSync(process.execPath, [`${here}${name}`], { stdio: 'inherit' });
  if (status !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
