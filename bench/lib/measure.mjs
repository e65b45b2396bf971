// Small helpers shared by the benchmarks: run a command and time it, medians, a results table.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const PMT = `${REPO}dist/pmt.cjs`;
export const SAMPLE = `${REPO}samples/apache-project`;
export const REGISTRY = `${REPO}plugins.yaml`;
/** The floor clients: the least a Node program does for the same job (see each file). */
export const MIN_CLIENT = `${REPO}bench/lib/min-client.mjs`;
export const MIN_LIST = `${REPO}bench/lib/min-list.mjs`;
/** pmt's own engine and container steps for a scan, in a bare Node client (see the file). */
export const PMT_STEPS_CLIENT = `${REPO}bench/lib/pmt-steps-client.mjs`;

/**
 * CPU time the whole machine has spent busy so far (user, nice, system, irq, softirq; Linux's
 * /proc/stat), in ms; undefined elsewhere. The delta around a run counts the engine's work for it
 * (dockerd, containerd, the shims, runc, the containers) beside the client's own.
 */
export function machineBusyMs() {
  try {
    const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).map(Number);
    return ((user + nice + system + irq + softirq) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Runs a command to its end; resolves with wall time in ms, the machine's busy CPU in ms meanwhile
 * (`busyMs`, see machineBusyMs) and its output; rejects on a non-zero exit.
 */
export function timed(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const busyBefore = machineBusyMs();
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      const busyAfter = machineBusyMs();
      const busyMs = busyBefore === undefined || busyAfter === undefined ? undefined : busyAfter - busyBefore;
      if (code !== 0 && !options.allowFailure) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-400)}`));
      else resolve({ ms, busyMs, stdout, stderr, code });
    });
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function printTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const row of rows) console.log(row.map((cell, i) => String(cell).padEnd(widths[i])).join('  '));
}

/** `met` / `MISSED` for a target line. */
export function verdict(ok) {
  return ok ? 'met' : 'MISSED';
}
