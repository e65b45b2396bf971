import type { VolumeRuntime } from './container-runtime.js';
import { packInput, type GitignoreUse, type PackSummary } from './input-archive.js';

export interface InputVolumeRequest {
  /** The input directory on this machine. */
  readonly dir: string;
  /** The plugin's image (just ensured) and shell, for the helper container that fills the volume. */
  readonly image: string;
  readonly shell: string;
  /** The run's labels, so the sweep of a dead pmt's leftovers finds the volume too. */
  readonly labels: Readonly<Record<string, string>>;
  readonly respectGitignore: boolean;
  /** Paths relative to the input left out with all they hold (pmt's own output dirs). */
  readonly exclude?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface InputVolume {
  /** Bind it read-only at /input: `{ hostPath: name, containerPath: '/input', readOnly: true }`. */
  readonly name: string;
  readonly gitignore: GitignoreUse;
  readonly summary: PackSummary;
  /** Removes the filling helper; call it once the plugin's container (which mounts the volume) exists. */
  release(): Promise<void>;
}

/**
 * The input of an engine that cannot see this machine's files: packed, streamed into a new volume,
 * and then mounted read-only like a local bind — so even a plugin running as root (which owns the
 * files and could chmod them) cannot change it. The caller removes the volume after its containers.
 */
export async function createInputVolume(runtime: VolumeRuntime, request: InputVolumeRequest): Promise<InputVolume> {
  const packed = await packInput(request.dir, { respectGitignore: request.respectGitignore, exclude: request.exclude });
  const filled = await runtime.createFilledVolume({ image: request.image, shell: request.shell, labels: request.labels, tar: packed.stream, signal: request.signal });
  return { name: filled.name, release: filled.release, gitignore: packed.gitignore, summary: packed.summary() };
}
