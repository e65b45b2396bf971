import type { Readable } from 'node:stream';

/** One result file to send to the PMT server. */
export interface UploadItem {
  plugin: string;
  /** The server-side importer (`spdx`, `scancode`, `composer`, `file-hasher`, ...); sent as given. */
  importer: string;
  fileName: string;
  /** Exact byte count of the file; sent as Content-Length. */
  size: number;
  /** A fresh stream of the file's bytes; called once per attempt. */
  open(): Readable;
}

export type UploadStatus = 'uploaded' | 'ignored' | 'failed';

export interface UploadOutcome {
  plugin: string;
  fileName: string;
  importer: string;
  /** The import URL (credentials removed). */
  url: string;
  status: UploadStatus;
  /** The last HTTP status received, if any. */
  httpStatus?: number;
  /** The created product's URL (201 `Location`, resolved against `url`). */
  location?: string;
  /** Requests started for this item (0 if aborted before the first). */
  attempts: number;
  /** Why it failed or was ignored, in the server's words where it gave any. */
  message?: string;
}

/** Reported after every attempt; must not throw. */
export interface UploadAttemptInfo {
  plugin: string;
  fileName: string;
  importer: string;
  url: string;
  attempt: number;
  httpStatus?: number;
  /** What went wrong with this attempt; absent when it succeeded. */
  message?: string;
  /** True when another attempt follows after `delayMs`. */
  willRetry: boolean;
  delayMs?: number;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface UploadOptions {
  /** The server's base URL, possibly with a path prefix (`http://host:8081/pmt`). */
  baseUrl: string;
  /** Extra attempts after the first for transient failures (default 3). */
  retries?: number;
  /** First backoff delay (default 250 ms); doubles per attempt, with jitter. */
  baseDelayMs?: number;
  /** Upper bound for a backoff delay and for a honoured Retry-After (default 8 s). */
  maxDelayMs?: number;
  /** Longest silence on the connection (connecting, sending or waiting) before an attempt is abandoned (default 60 s). */
  timeoutMs?: number;
  /** Aborts the upload (SIGINT); the outcome then says `aborted`. */
  signal?: AbortSignal;
  /** Injectable for tests; must reject when `signal` aborts. */
  sleep?: Sleep;
  /** Injectable jitter source for tests (default Math.random). */
  random?: () => number;
  onAttempt?: (info: UploadAttemptInfo) => void;
}
