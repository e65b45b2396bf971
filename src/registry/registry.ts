import { UsageError } from '../errors.js';
import { didYouMean } from '../config/closest-key.js';
import type { Plugin } from './plugin.js';

/** `-p all` selects every plugin, so no plugin may be called that. */
export const RESERVED_PLUGIN_NAME = 'all';

/** The plugins of one registry file (with those of the registries it extends), looked up case-insensitively. */
export class Registry {
  readonly #plugins: readonly Plugin[];
  readonly #default: Plugin | undefined;
  readonly #origins: ReadonlyMap<Plugin, string>;

  /**
   * @param source where the plugins came from (the registry file), for messages
   * @param defaultName the default plugin's name; it must be one of `plugins`
   * @param extended the registry files `source` extends (`extends`), nearest first
   * @param origins the file each plugin comes from, when not `source` (an extended registry's)
   */
  constructor(
    readonly source: string,
    plugins: readonly Plugin[],
    defaultName?: string,
    readonly extended: readonly string[] = [],
    origins: ReadonlyMap<Plugin, string> = new Map(),
  ) {
    this.#origins = origins;
    this.#plugins = Object.freeze([...plugins]);
    this.#default = defaultName === undefined ? undefined : this.find(defaultName);
    if (defaultName !== undefined && this.#default === undefined) throw new TypeError(`default plugin "${defaultName}" is not in the registry`);
  }

  /** The registry file that defines `plugin`: `source`, or a registry it extends. */
  origin(plugin: Plugin): string {
    return this.#origins.get(plugin) ?? this.source;
  }

  available(): readonly Plugin[] {
    return this.#plugins;
  }

  default(): Plugin | undefined {
    return this.#default;
  }

  isEmpty(): boolean {
    return this.#plugins.length === 0;
  }

  find(name: string): Plugin | undefined {
    const wanted = name.toLowerCase();
    return this.#plugins.find((plugin) => plugin.name.toLowerCase() === wanted);
  }

  /**
   * The plugins a run asked for, in request order without repeats. No names → the default plugin;
   * `all` (or `['all']`) → every plugin. An unknown name is an error, never a silent fallback.
   */
  select(names: readonly string[] | 'all'): Plugin[] {
    if (names === 'all') return [...this.#plugins];
    const isAll = (name: string): boolean => name.toLowerCase() === RESERVED_PLUGIN_NAME;
    const unknown = names.filter((name) => !isAll(name) && this.find(name) === undefined);
    if (unknown.length > 0) throw this.#unknown(unknown);
    if (names.some(isAll)) return [...this.#plugins];
    if (names.length === 0) {
      if (this.#default === undefined) {
        throw new UsageError(
          `no plugin selected and the registry ${this.source} names no default plugin`,
          `choose one with -p NAME (available: ${this.#names()})`,
        );
      }
      return [this.#default];
    }
    return [...new Set(names.map((name) => this.find(name) as Plugin))];
  }

  #names(): string {
    return this.#plugins.map((plugin) => plugin.name).join(', ') || 'none';
  }

  #unknown(names: readonly string[]): UsageError {
    const known = this.#plugins.map((plugin) => plugin.name);
    const listed = names.map((name) => `"${name}"`).join(', ');
    const noun = names.length === 1 ? 'plugin' : 'plugins';
    const suggestions = names.map((name) => didYouMean(name, known).replace(/^ \u2014 /, '')).filter((text) => text !== '');
    return new UsageError(
      `unknown ${noun} ${listed} in the registry ${this.source} (available: ${this.#names()})`,
      [...suggestions, 'plugin names are matched case-insensitively; "all" selects every plugin'].join(' '),
    );
  }
}
