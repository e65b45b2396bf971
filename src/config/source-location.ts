import { isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { Problem } from '../errors.js';
import type { SourceDocument } from './source-document.js';

/** Keys and indexes from the document root to a value, as in a JSON pointer. */
export type ValuePath = readonly (string | number)[];

type KeyedPair = Pair<Node, Node | null>;

/**
 * Each mapping's pairs by key, built on first lookup: locating one problem per key of a mapping
 * with 40 000 keys must not scan the mapping 40 000 times. Rebuilt when a lookup misses or finds a
 * pair whose key was renamed since, or when pairs were added or removed (legacy-keys.ts renames and
 * removes keys in place).
 */
const pairIndex = new WeakMap<object, { readonly size: number; readonly byKey: Map<string, KeyedPair> }>();

/** The first pair holding `key` in a mapping node, or undefined. */
export function pairOf(node: unknown, key: string): KeyedPair | undefined {
  if (!isMap(node)) return undefined;
  const index = pairIndex.get(node);
  const cached = index?.size === node.items.length ? index.byKey.get(key) : undefined;
  if (cached !== undefined && keyOf(cached) === key) return cached;
  const byKey = new Map<string, KeyedPair>();
  for (const pair of node.items) {
    const name = isPair(pair) ? keyOf(pair as KeyedPair) : undefined;
    if (name !== undefined && !byKey.has(name)) byKey.set(name, pair as KeyedPair);
  }
  pairIndex.set(node, { size: node.items.length, byKey });
  return byKey.get(key);
}

function keyOf(pair: KeyedPair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

interface Located {
  /** The deepest node of the path that exists. */
  readonly node: Node;
  /** The key node of the last path step, when the whole path exists and ends in a mapping key. */
  readonly key: Node | undefined;
  /** The path as the user wrote it (original key spellings), e.g. `plugins[0].DockerImg`. */
  readonly display: string;
}

function locate(source: SourceDocument, path: ValuePath): Located {
  let node = source.doc.contents as Node;
  let key: Node | undefined;
  let display = '';
  for (const step of path) {
    key = undefined;
    if (isSeq(node) && typeof step === 'number' && isNode(node.items[step])) {
      node = node.items[step] as Node;
      display += `[${step}]`;
      continue;
    }
    const pair = pairOf(node, String(step));
    if (pair === undefined) break;
    key = pair.key;
    // Keys renamed from legacy spellings keep the user's spelling in `source`.
    const spelling = isScalar(pair.key) && typeof pair.key.source === 'string' ? pair.key.source : String(step);
    display += display === '' ? spelling : `.${spelling}`;
    // An empty value (`cmd:`) has no node of its own in some shapes; point at its key then.
    node = pair.value ?? pair.key;
  }
  return { node, key, display };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

/** The path as the user wrote it, e.g. `plugins[0].DockerImg`; '' for the root. */
export function displayPath(source: SourceDocument, path: ValuePath): string {
  return locate(source, path).display;
}

/**
 * A problem positioned at the value at `path` (or at its key with `at: 'key'`). When the path does
 * not exist (a missing key), the problem points at the deepest part that does.
 */
export function problemAt(source: SourceDocument, path: ValuePath, message: string, at: 'key' | 'value' = 'value'): Problem {
  const located = locate(source, path);
  const node = at === 'key' && located.key !== undefined ? located.key : located.node;
  const offset = node.range?.[0] ?? 0;
  return { file: source.file, ...source.lineCounter.linePos(offset), message };
}

/** `message` prefixed with the path it concerns (`plugins[0].cmd: …`), unprefixed at the root. */
export function withPath(source: SourceDocument, path: ValuePath, message: string): string {
  const display = displayPath(source, path);
  return display === '' ? message : `${display}: ${message}`;
}

/** Orders problems by file, then line, then column; unpositioned ones first. */
export function byPosition(a: Problem, b: Problem): number {
  return a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}
