import { createHash } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanJson as scanReport } from '../support/scan-json.js';

import type { ScanReportJson as ScanJson } from '../support/scan-json.js';

export type { ScanJson };

/**
 * Runs `pmt scan --json` in this process (no result cache: every plugin really runs) and checks
 * that none of the run's containers is left on the engine, however the run ended.
 */
export function scanJson(args: { cwd: string; input: string; registry: string; config: string; plugins?: string; logLevel?: string }) {
  const level = args.logLevel ? ['--log-level', args.logLevel] : [];
  return scanReport(['-i', args.input, '-r', args.registry, '-c', args.config, '-p', args.plugins ?? 'all', '--no-cache', '--log-format', 'json', ...level], { cwd: args.cwd });
}

/** A core engine config file with its own name (several configs in one test dir). */
export async function writeNamedConfig(dir: string, name: string, values: Record<string, unknown>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(values, null, 2));
  return path;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every path below `root` (files and directories), relative to it. */
export async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map(String).sort();
}

/** The plugin of that name in the report (fails the test when missing). */
export function pluginOf(report: ScanJson, name: string): ScanJson['plugins'][number] {
  const plugin = report.plugins.find((p) => p.name === name);
  if (!plugin) throw new Error(`no plugin ${name} in the report: ${report.plugins.map((p) => p.name).join(', ')}`);
  return plugin;
}
