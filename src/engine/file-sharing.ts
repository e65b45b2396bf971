import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSharingProbe, FileSharingVerdict } from '../docker/container-runtime.js';

export interface FileSharingCheck {
  readonly probe: FileSharingProbe;
  /** Where pmt keeps its per-run files (the REST socket too): the marker directory goes here. */
  readonly tempParent: string;
  readonly inputDir: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Takes the probe container's removal instead of waiting for it (see FileSharingRequest). */
  readonly deferRemoval?: (remove: () => Promise<void>) => void;
}

/**
 * Proves that the engine sees this machine's files before pmt trusts a bind mount: a fresh,
 * randomly named directory in pmt's temp dir with a random marker must be visible to the engine
 * with that content, and the input directory must be the same one. Otherwise (pmt in a container
 * with the host's socket mounted, a path that exists on the engine's host with other content) the
 * run copies the input and collects results by archive copy.
 */
export async function checkFileSharing(check: FileSharingCheck, image: string): Promise<FileSharingVerdict> {
  const markerDir = await mkdtemp(join(check.tempParent, 'pmt-probe-'));
  try {
    // A random name and content: no other directory can hold the same file by chance.
    const markerFile = randomBytes(16).toString('hex');
    await writeFile(join(markerDir, markerFile), randomBytes(16).toString('hex'));
    const [marker, input] = await Promise.all([stat(join(markerDir, markerFile)), stat(check.inputDir)]);
    return await check.probe.probeFileSharing({
      image,
      labels: check.labels,
      markerDir,
      markerFile,
      markerSize: marker.size,
      markerMtimeMs: marker.mtimeMs,
      inputDir: check.inputDir,
      inputMtimeMs: input.mtimeMs,
      inputMode: input.mode,
      deferRemoval: check.deferRemoval,
    });
  } finally {
    await rm(markerDir, { recursive: true, force: true });
  }
}
