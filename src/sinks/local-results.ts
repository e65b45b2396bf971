import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginOutcome } from '../agent/plugin-outcome.js';
import type { Filestore } from '../store/filestore.js';
import type { ReportedResult } from '../engine/scan-report.js';

/** Writes a succeeded plugin run's results as `<dir>/<plugin>_<file>`, as the original client did. */
export async function saveResultsLocally(filestore: Filestore, outcome: PluginOutcome, dir: string): Promise<ReportedResult[]> {
  await mkdir(dir, { recursive: true });
  const saved: ReportedResult[] = [];
  for (const result of outcome.results) {
    const localPath = join(dir, `${outcome.plugin.name}_${result.name}`);
    await filestore.saveTo(outcome.id, result.name, localPath);
    saved.push({ name: result.name, size: result.size, sha256: result.sha256, localPath });
  }
  return saved;
}
