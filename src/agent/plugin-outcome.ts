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
  readonly imageId: string | undefined;
  /** How results came back: over REST, by archive copy, or from the result cache. */
  readonly transport: 'rest' | 'archive' | 'cache' | undefined;
  readonly results: readonly StoredResult[];
  readonly logPath: string | undefined;
  readonly error: OutcomeError | undefined;
}

export interface OutcomeError {
  readonly origin: ErrorOrigin;
  readonly message: string;
  readonly hint: string | undefined;
}
