import path from 'node:path';
import { ConfigError, type Problem } from '../errors.js';
import { parseSourceDocument } from '../config/source-document.js';
import { sourceValue } from '../config/source-value.js';
import { schemaProblems } from '../config/schema-problems.js';
import { validateRegistry } from '../config/schema-validators.generated.js';
import { byPosition, problemAt } from '../config/source-location.js';
import { parseByteSize } from '../config/byte-size.js';
import { parseDuration } from '../config/duration.js';
import { normalizeRegistryDocument } from './legacy-keys.js';
import type { Plugin } from './plugin.js';
import { Registry } from './registry.js';
import { registryProblems } from './registry-checks.js';
import type { PluginEntry, RegistryFile } from './registry-schema.js';

export interface ParseRegistryOptions {
  /** Directory that relative `build` paths are resolved against: the registry file's directory. */
  readonly baseDir: string;
}

export const REGISTRY_HINT =
  'a registry (format R1.0) has `version: R1.0`, an optional `default_plugin` (name or index) and `plugins:`, ' +
  'each with name, version, docker_image, shell, cmd, results and optionally core_version, importer, build, ' +
  'timeout, network, resources, user, read_only_rootfs, env, constraints';

/** One registry file's own content, before any `extends` is followed. */
export interface RegistryDocument {
  readonly file: string;
  readonly plugins: readonly Plugin[];
  readonly defaultName: string | undefined;
  /** The `extends` value and where it is, for problems about it. */
  readonly extends: { readonly target: string; readonly at: Problem } | undefined;
  /** Where `default_plugin` is, for a default the merged registry lacks. */
  readonly defaultAt: Problem | undefined;
}

/**
 * Parses registry text (YAML or JSON, the original PMT client's shapes included) into a Registry.
 * Throws a ConfigError listing every problem found, each with its file position. A registry with
 * `extends` is loaded with loadRegistryFile, which follows it.
 */
export function parseRegistry(text: string, file: string, options: ParseRegistryOptions): Registry {
  const document = parseRegistryDocument(text, file, options);
  if (document.extends) throw new ConfigError([{ ...document.extends.at, message: '`extends` is followed only when the registry is loaded from its file' }]);
  return new Registry(file, document.plugins, document.defaultName);
}

/** Parses one registry file's text; `extends` is returned, not followed. */
export function parseRegistryDocument(text: string, file: string, options: ParseRegistryOptions): RegistryDocument {
  const parsed = parseSourceDocument(text, file);
  if (!parsed.ok) throw new ConfigError(parsed.problems, REGISTRY_HINT);
  const { source } = parsed;

  const problems: Problem[] = normalizeRegistryDocument(source);
  const plain = sourceValue(source);
  if (!plain.ok) throw new ConfigError([...problems, ...plain.problems].sort(byPosition), REGISTRY_HINT);
  const { value } = plain;
  problems.push(...schemaProblems(source, validateRegistry, value), ...registryProblems(source, value));
  if (problems.length > 0) throw new ConfigError(problems.sort(byPosition), REGISTRY_HINT);

  const registry = value as RegistryFile;
  const plugins = registry.plugins.map((entry) => toPlugin(entry, options.baseDir));
  const chosen = registry.default_plugin;
  const defaultName = typeof chosen === 'number' ? plugins[chosen]?.name : chosen;
  return {
    file,
    plugins,
    defaultName,
    extends: registry.extends === undefined ? undefined : { target: registry.extends, at: problemAt(source, ['extends'], '') },
    defaultAt: chosen === undefined ? undefined : problemAt(source, ['default_plugin'], ''),
  };
}

function toPlugin(entry: PluginEntry, baseDir: string): Plugin {
  return Object.freeze({
    name: entry.name,
    version: entry.version,
    coreVersion: entry.core_version,
    image: entry.docker_image,
    shell: entry.shell,
    cmd: entry.cmd,
    results: Object.freeze([...entry.results]),
    importer: entry.importer ?? entry.name,
    build: entry.build === undefined ? undefined : path.resolve(baseDir, entry.build),
    timeoutMs: entry.timeout === undefined ? undefined : durationMs(entry.timeout),
    network: entry.network ?? 'none',
    resources: Object.freeze({
      memoryBytes: entry.resources?.memory === undefined ? undefined : bytes(entry.resources.memory),
      cpus: entry.resources?.cpus,
      pids: entry.resources?.pids,
    }),
    user: entry.user,
    readOnlyRootfs: entry.read_only_rootfs ?? false,
    env: Object.freeze({ ...entry.env }),
    ...(entry.constraints?.length ? { constraints: Object.freeze([...entry.constraints]) } : {}),
  });
}

// Both were validated by registry-checks.ts before a Plugin is built.
function durationMs(value: string | number): number {
  return (parseDuration(value) as { ms: number }).ms;
}

function bytes(value: string | number): number {
  return (parseByteSize(value) as { bytes: number }).bytes;
}
