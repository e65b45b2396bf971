import path from 'node:path';
import { ConfigError, type Problem } from '../errors.js';
import { readSourceFile } from '../config/read-source-file.js';
import { parseRegistryDocument, type RegistryDocument } from './parse-registry.js';
import type { Plugin } from './plugin.js';
import { Registry } from './registry.js';

/** The `extends` value that names the registry bundled with pmt. */
export const BUNDLED_NAME = 'bundled';

export interface LoadRegistryOptions {
  /** The registry bundled with pmt, which `extends: bundled` names. */
  readonly bundledRegistry?: string;
}

/**
 * Reads and parses a registry file; relative `build` paths resolve against its directory. With
 * `extends: bundled` (or `extends: FILE`, relative to this one) the extended registry's plugins come
 * first and an entry of the same name here replaces its entry in place; `default_plugin` here wins
 * over the extended one's. Each plugin remembers the file it came from (`Registry.origin`).
 */
export async function loadRegistryFile(file: string, options: LoadRegistryOptions = {}): Promise<Registry> {
  const chain: RegistryDocument[] = [await readDocument(file)];
  for (let current = chain[0]!; current.extends; current = chain.at(-1)!) {
    const { target, at } = current.extends;
    const problem = (message: string): Problem => ({ ...at, message });
    let next: string;
    if (target === BUNDLED_NAME) {
      if (!options.bundledRegistry) throw new ConfigError([problem('extends: bundled, but no bundled registry is known here')]);
      next = options.bundledRegistry;
    } else {
      next = path.resolve(path.dirname(path.resolve(current.file)), target);
    }
    if (chain.some((d) => path.resolve(d.file) === path.resolve(next))) {
      throw new ConfigError([problem(`extends ${next}, which extends this file again (a cycle: ${[...chain.map((d) => d.file), next].join(' → ')})`)]);
    }
    chain.push(await readDocument(next, problem));
  }
  return merge(chain);
}

async function readDocument(file: string, from?: (message: string) => Problem): Promise<RegistryDocument> {
  const read = await readSourceFile(file, 'registry file');
  if (!read.ok) {
    // A missing extended registry is a problem of the file that names it.
    if (from) throw new ConfigError([from(`cannot extend ${file}: ${read.problem.message}`)], 'extends takes `bundled` or a registry file relative to this one');
    const hint = read.code === undefined ? undefined : 'pass an existing registry file with -r/--registry FILE';
    throw new ConfigError([read.problem], hint);
  }
  return parseRegistryDocument(read.text, file, { baseDir: path.dirname(path.resolve(file)) });
}

/** The chain's plugins, the farthest registry's first; nearer entries replace same-named ones in place. */
function merge(chain: readonly RegistryDocument[]): Registry {
  const [own, ...bases] = chain as [RegistryDocument, ...RegistryDocument[]];
  if (bases.length === 0) return new Registry(own.file, own.plugins, own.defaultName);
  const plugins: Plugin[] = [];
  const origins = new Map<Plugin, string>();
  let defaultName: string | undefined;
  let defaultFrom: RegistryDocument | undefined;
  for (const document of [...chain].reverse()) {
    for (const plugin of document.plugins) {
      const same = plugins.findIndex((p) => p.name.toLowerCase() === plugin.name.toLowerCase());
      if (same >= 0) plugins[same] = plugin;
      else plugins.push(plugin);
      origins.set(plugin, document.file);
    }
    if (document.defaultName !== undefined) [defaultName, defaultFrom] = [document.defaultName, document];
  }
  if (defaultName !== undefined && !plugins.some((p) => p.name.toLowerCase() === defaultName.toLowerCase())) {
    const at = defaultFrom?.defaultAt ?? { file: own.file, message: '' };
    throw new ConfigError([{ ...at, message: `default_plugin: no plugin named "${defaultName}" (available: ${plugins.map((p) => p.name).join(', ')})` }]);
  }
  return new Registry(own.file, plugins, defaultName, bases.map((d) => d.file), origins);
}
