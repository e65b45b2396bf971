import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT, writeConfig } from '../../support/fixtures.js';
import { scanJson, type ScanReportJson as ScanJson } from '../../support/scan-json.js';

/** The registry the bundled plugins come from, as users run them. */
export const BUNDLED_REGISTRY = join(REPO_ROOT, 'plugins.yaml');

export interface PluginScan {
  code: number;
  stderr: string;
  report: ScanJson;
  plugin: ScanJson['plugins'][number];
}

/**
 * `pmt scan -r plugins.yaml -p <name> --json` on `repo`, in process, with a test config whose logs and
 * results go to `<workDir>/logs` and `<workDir>/results`. `--no-cache`: the plugin really runs, even
 * when an earlier run cached results for the same image and input. Checks that no container of the
 * run is left.
 */
export async function scanWithPlugin(name: string, repo: string, workDir: string, registry = BUNDLED_REGISTRY): Promise<PluginScan> {
  const config = await writeConfig(workDir, { PathDirLogs: join(workDir, 'logs'), PathDirResults: join(workDir, 'results') });
  const { code, stderr, report } = await scanJson(['-r', registry, '-c', config, '-p', name, '-i', repo, '--no-cache'], { cwd: workDir });
  expect(report.plugins.map((p) => p.name)).toEqual([name]);
  return { code, stderr, report, plugin: report.plugins[0]! };
}

/**
 * The one result file a succeeded run saved, checked against the report: saved as
 * `<results>/<plugin>_<file>`, with the size and sha256 the report gives.
 */
export async function savedResult(scan: PluginScan, workDir: string, file: string): Promise<Buffer> {
  const { plugin } = scan;
  expect(plugin.status, JSON.stringify(plugin.error)).toBe('succeeded');
  expect(scan.code).toBe(0);
  expect(plugin.exitCode).toBe(0);
  expect(plugin.transport).toBe('rest');
  const localPath = join(workDir, 'results', `${plugin.name}_${file}`);
  expect(plugin.results).toEqual([{ name: file, size: expect.any(Number), sha256: expect.any(String), localPath }]);
  const bytes = await readFile(localPath);
  expect(bytes.length).toBe(plugin.results[0]!.size);
  expect(sha256(bytes)).toBe(plugin.results[0]!.sha256);
  return bytes;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
