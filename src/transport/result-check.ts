import { RESULT_DIR } from '../agent/container-spec.js';
import { PluginFailure } from '../agent/plugin-failure.js';
import { showName } from '../registry/result-name.js';

/**
 * What makes a declared result collectable, on every transport: it exists in `/result`, is a
 * regular file (not a symlink, directory or FIFO — archive copy could not follow a link, so REST
 * does not either), and its owner may read it (`chmod 000` fails over REST, where curl runs as the
 * plugin's user without capabilities, so archive copy, which reads as the engine, refuses it too).
 */
export type ResultProblem =
  | { readonly name: string; readonly kind: 'missing' }
  | { readonly name: string; readonly kind: 'not a regular file'; readonly type: string }
  | { readonly name: string; readonly kind: 'unreadable' };

/** Names found directly in `/result`: the first few, and how many there are in all. */
export interface ResultDirListing {
  readonly names: readonly string[];
  readonly total: number;
}

/** How many names of `/result` a message shows. */
export const LISTED_NAMES = 10;

/** Why a file with this tar/stat mode cannot be collected, or undefined: its owner must be able to read it. */
export function unreadableMode(mode: number): boolean {
  return (mode & 0o400) === 0;
}

/** A listing collector: keeps the first LISTED_NAMES names and counts the rest. */
export class ListingBuilder {
  readonly #names: string[] = [];
  #total = 0;

  add(name: string): void {
    this.#total += 1;
    if (this.#names.length < LISTED_NAMES) this.#names.push(name);
  }

  get listing(): ResultDirListing {
    return { names: [...this.#names].sort(), total: this.#total };
  }
}

/**
 * The one failure message for declared results that could not be collected, whatever the
 * transport: what is wrong with each, and what `/result` does hold (the most common mistake is a
 * name that differs from the one written: "declared spdx.tsv; /result holds spdx.txt").
 */
export function resultProblemsFailure(plugin: string, problems: readonly ResultProblem[], listing: ResultDirListing): PluginFailure {
  const path = (name: string): string => `${RESULT_DIR}/${showName(name).slice(1, -1)}`;
  const parts: string[] = [];
  const missing = problems.filter((p) => p.kind === 'missing').map((p) => path(p.name));
  if (missing.length === 1) parts.push(`declared result ${missing[0]} of plugin ${plugin} was not written`);
  if (missing.length > 1) parts.push(`declared results ${missing.join(', ')} of plugin ${plugin} were not written`);
  for (const problem of problems) {
    if (problem.kind === 'not a regular file') parts.push(`declared result ${path(problem.name)} of plugin ${plugin} is not a regular file (${problem.type})`);
    if (problem.kind === 'unreadable') {
      parts.push(`declared result ${path(problem.name)} of plugin ${plugin} is not readable (its owner has no read permission)`);
    }
  }
  const more = listing.total - listing.names.length;
  const holds =
    listing.total === 0 ? `${RESULT_DIR} is empty` : `${RESULT_DIR} holds ${listing.names.map((n) => showName(n).slice(1, -1)).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const hints: string[] = [];
  if (missing.length > 0) hints.push("check the plugin's cmd writes the declared names into /result, or fix its results list");
  if (problems.some((p) => p.kind === 'not a regular file')) hints.push('write results as regular files (copy, not symlink)');
  if (problems.some((p) => p.kind === 'unreadable')) hints.push('leave results readable (e.g. chmod 0644)');
  return new PluginFailure(`${parts.join('; ')}; ${holds}`, hints.join('; '));
}
