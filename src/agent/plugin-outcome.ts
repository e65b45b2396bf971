import type { CacheOrigin } from '../cache/cache-manifest.js';
import type { ErrorOrigin } from '../errors.js';
import type { Plugin } from '../registry/plugin.js';
import type { StoredResult } from '../store/filestore.js';

export type PluginStatus = 'succeeded' | 'cached' | 'failed' | 'timed out' | 'interrupted';

/** What one plugin run came to; the engine turns a list of these into the report and exit code. */
export interface PluginOutcome {
  readonly id: number;
  readonly plugin: Plugin;
  readonly status: PluginStatus;
  /** Exit code of the plugin's cmd, when it ran to the end. */
  readonly exitCode: number | undefined;
  readonly durationMs: number;
  /** When the agent started on this plugin (image lookup included) and when it came to this outcome. */
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly imageId: string | undefined;
  /** The image's registry digests (`name@sha256:…`); empty for a locally built image. */
  readonly repoDigests: readonly string[];
  /** With status `cached`: when the entry was stored and which earlier run produced it. */
  readonly cache: CacheRestore | undefined;
  /** How results came back: over REST, by archive copy, or from the result cache. */
  readonly transport: 'rest' | 'archive' | 'cache' | undefined;
  readonly results: readonly StoredResult[];
  readonly logPath: string | undefined;
  readonly error: OutcomeError | undefined;
  /** What the user should know although the plugin ran, e.g. an image older than its build directory. */
  readonly warnings?: readonly string[];
  /** Swarm mode: the hostname of the node its task ran on, and the service's name. */
  readonly node?: string;
  readonly service?: string;
}

export interface OutcomeError {
  readonly origin: ErrorOrigin;
  readonly message: string;
  readonly hint: string | undefined;
}

/** What a cache hit restored: when the entry was stored and, when known, the run that produced it. */
export interface CacheRestore {
  readonly storedAt: string;
  readonly origin: CacheOrigin | undefined;
}
