import { chmod, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BindMount } from '../docker/container-runtime.js';
import { PmtError } from '../errors.js';
import { INPUT_DIR } from './container-spec.js';
import { findInputHazards, type InputHazards } from './input-hazards.js';

/** Host paths mounted over what plugins must not reach: an empty read-only file and directory. */
export interface ShieldSources {
  readonly emptyFile: string;
  readonly emptyDir: string;
}

/** More mounts than this make a container nobody can inspect; such an input is refused. */
export const SHIELD_LIMIT = 256;

/**
 * The extra read-only mounts that make a bind of the input what plugins are promised — read-only,
 * and nothing in it but files, directories and symlinks:
 * - `hidden` (pmt's own results/logs dirs inside the input) → an empty directory;
 * - every mount point below the input → bound again, read-only (a read-only bind is not recursive
 *   before API 1.44, nor on kernels before 5.12);
 * - every socket, FIFO and device node → an empty file (connect() and open() ignore read-only mounts).
 * Pure; throws a PmtError when more than SHIELD_LIMIT mounts would be needed.
 */
export function shieldBinds(realInput: string, hazards: InputHazards, hidden: readonly string[], sources: ShieldSources): BindMount[] {
  const at = (rel: string): string => `${INPUT_DIR}/${rel}`;
  const binds: BindMount[] = [
    ...hidden.map((rel) => ({ hostPath: sources.emptyDir, containerPath: at(rel), readOnly: true })),
    ...hazards.subMounts.filter((rel) => !hidden.includes(rel)).map((rel) => ({ hostPath: join(realInput, rel), containerPath: at(rel), readOnly: true })),
    ...hazards.specialFiles.map((rel) => ({ hostPath: sources.emptyFile, containerPath: at(rel), readOnly: true })),
  ];
  if (binds.length > SHIELD_LIMIT) {
    const shown = [...hazards.specialFiles, ...hazards.subMounts].slice(0, 3).join(', ');
    throw new PmtError(
      `the input holds ${hazards.specialFiles.length} sockets, FIFOs or device nodes and ${hazards.subMounts.length} mount points (${shown}, …); pmt hides or protects each with a mount and refuses more than ${SHIELD_LIMIT}`,
      { origin: 'user', hint: 'remove them from the input, or scan a copy of it (cp -r skips sockets)' },
    );
  }
  return binds;
}

/** The shield of one run's input: found once, on first use; its empty file and dir removed by `dispose`. */
export class InputShield {
  #binds: Promise<{ binds: BindMount[]; hazards: InputHazards }> | undefined;
  #dir: string | undefined;

  constructor(
    private readonly inputDir: string,
    private readonly hidden: readonly string[],
    private readonly tempParent: string,
  ) {}

  /** The extra mounts of every plugin container of the run, and what they cover (for the log). */
  binds(): Promise<{ binds: BindMount[]; hazards: InputHazards }> {
    return (this.#binds ??= this.#prepare());
  }

  async dispose(): Promise<void> {
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
  }

  async #prepare(): Promise<{ binds: BindMount[]; hazards: InputHazards }> {
    const hazards = await findInputHazards(this.inputDir, this.hidden);
    if (hazards.subMounts.length + hazards.specialFiles.length + this.hidden.length === 0) return { binds: [], hazards };
    this.#dir = await mkdtemp(join(this.tempParent, 'pmt-shield-'));
    const sources = { emptyFile: join(this.#dir, 'empty-file'), emptyDir: join(this.#dir, 'empty-dir') };
    await writeFile(sources.emptyFile, '', { mode: 0o444 });
    await mkdir(sources.emptyDir, { mode: 0o555 });
    // The engine's daemon must reach them whatever pmt's umask.
    await chmod(this.#dir, 0o755);
    return { binds: shieldBinds(await realpath(this.inputDir), hazards, this.hidden, sources), hazards };
  }
}

/** For the run's log: what the shield covers, in a few names. */
export function describeShield(hazards: InputHazards, hidden: readonly string[]): string {
  const some = (paths: readonly string[]): string => `${paths.slice(0, 5).join(', ')}${paths.length > 5 ? `, … (${paths.length})` : ''}`;
  return [
    hidden.length > 0 ? `pmt's own output hidden (${some(hidden)})` : '',
    hazards.subMounts.length > 0 ? `mount points made read-only (${some(hazards.subMounts)})` : '',
    hazards.specialFiles.length > 0 ? `sockets, FIFOs and devices replaced by empty files (${some(hazards.specialFiles)})` : '',
  ]
    .filter((part) => part !== '')
    .join('; ');
}
