import { resultNameProblem } from '../registry/result-name.js';
import { CACHE_FORMAT } from './cache-key.js';

/** One result file of a cached entry, as its manifest records it. */
export interface ManifestFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

/**
 * The plugin run whose results an entry holds, so that a run served from the cache can say which
 * earlier run really produced them. Entries stored before pmt recorded it have none.
 */
export interface CacheOrigin {
  readonly runId: string;
  /** ISO times the plugin run started and ended. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Exit code of the plugin's cmd in that run. */
  readonly exitCode: number;
  /** How its results left the container. */
  readonly transport: string;
}

/** `manifest.json` of an entry; written last, so an entry without it is partial. */
export interface Manifest {
  readonly format: typeof CACHE_FORMAT;
  readonly key: string;
  readonly createdAt: string;
  readonly files: readonly ManifestFile[];
  readonly origin?: CacheOrigin;
}

export const KEY_PATTERN = /^[0-9a-f]{64}$/;

/** A valid result name (src/registry/result-name.ts): it stays inside the directory it is joined to. */
export function isPlainName(name: string): boolean {
  return resultNameProblem(name) === undefined;
}

/**
 * The manifest in `text` if it is well-formed and belongs to `key`; undefined otherwise. A tampered
 * manifest cannot name a file outside its entry: names must be plain and unique.
 */
export function parseManifest(text: string, key: string): Manifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.format !== CACHE_FORMAT || value.key !== key) return undefined;
  if (typeof value.createdAt !== 'string' || !Array.isArray(value.files)) return undefined;
  const files: ManifestFile[] = [];
  const names = new Set<string>();
  for (const file of value.files as unknown[]) {
    if (!isRecord(file)) return undefined;
    const { name, size, sha256 } = file;
    if (typeof name !== 'string' || !isPlainName(name) || names.has(name)) return undefined;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
    if (typeof sha256 !== 'string' || !KEY_PATTERN.test(sha256)) return undefined;
    names.add(name);
    files.push({ name, size, sha256 });
  }
  const origin = parseOrigin(value.origin);
  return { format: CACHE_FORMAT, key, createdAt: value.createdAt, files, ...(origin ? { origin } : {}) };
}

/** The origin if it is well-formed; anything else is dropped (it only describes, it never decides a hit). */
function parseOrigin(value: unknown): CacheOrigin | undefined {
  if (!isRecord(value)) return undefined;
  const { runId, startedAt, finishedAt, exitCode, transport } = value;
  if (typeof runId !== 'string' || typeof startedAt !== 'string' || typeof finishedAt !== 'string') return undefined;
  if (typeof exitCode !== 'number' || !Number.isInteger(exitCode) || typeof transport !== 'string') return undefined;
  return { runId, startedAt, finishedAt, exitCode, transport };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
