/** One result file held by the filestore. */
export interface StoredResult {
  /** The plugin run's index within the scan run. */
  readonly pluginId: number;
  /** The file's plain name, as declared in the plugin's `results`. */
  readonly name: string;
  readonly size: number;
  /** Lower-case hex sha256 of the bytes. */
  readonly sha256: string;
}

/** Size limits applied while a result streams in. */
export interface PutLimits {
  /** Largest single file, in bytes. */
  readonly maxFileBytes: number;
  /** Largest total of one plugin run's files (a replaced file counts once), in bytes. */
  readonly maxRunBytes: number;
}

/**
 * A result that has been received completely but is not yet visible: `commit()` makes it so
 * (replacing an earlier file of the same name), `abort()` drops it. Lets a caller check the rest of
 * a request before accepting a file.
 */
export interface StagedResult {
  readonly result: StoredResult;
  /** Throws if the store was closed, the plugin run discarded, or the result aborted meanwhile. */
  commit(): StoredResult;
  /** Idempotent; frees the memory or temp file. */
  abort(): Promise<void>;
}
