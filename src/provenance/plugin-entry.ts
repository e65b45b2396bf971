import { createHash } from 'node:crypto';
import { containerLimits, pluginTimeout } from '../agent/container-limits.js';
import { canonicalJson } from '../cache/canonical-json.js';
import type { Config } from '../config/config.js';
import { formatDuration } from '../config/duration.js';
import type { Plugin } from '../registry/plugin.js';
import { maskSecretEnv } from '../registry/secret-env.js';

/** A registry entry as a run used it: plugins.yaml keys, every default filled in, secrets masked. */
export interface EntryAsUsed {
  readonly name: string;
  readonly version: string;
  readonly core_version: string | null;
  readonly docker_image: string;
  readonly build: string | null;
  readonly shell: string;
  readonly cmd: string;
  readonly results: readonly string[];
  readonly importer: string;
  readonly timeout: string;
  readonly network: string;
  readonly resources: { readonly memory: number; readonly cpus: number; readonly pids: number };
  readonly user: string | null;
  readonly read_only_rootfs: boolean;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The entry as used and its sha256 over the canonical JSON of exactly what is recorded (keys sorted),
 * so anyone can recompute it from the record and compare two runs' configurations; a secret never
 * enters the digest, which would otherwise let a weak one be guessed. Pure.
 */
export function entryAsUsed(plugin: Plugin, config: Config, timeoutOverrideMs: number | undefined): { entry: EntryAsUsed; sha256: string } {
  const limits = containerLimits(plugin, config);
  const entry: EntryAsUsed = {
    name: plugin.name,
    version: plugin.version,
    core_version: plugin.coreVersion ?? null,
    docker_image: plugin.image,
    build: plugin.build ?? null,
    shell: plugin.shell,
    cmd: plugin.cmd,
    results: plugin.results,
    importer: plugin.importer,
    timeout: formatDuration(pluginTimeout(plugin, config, timeoutOverrideMs).ms),
    network: plugin.network,
    resources: { memory: limits.memoryBytes, cpus: limits.cpus, pids: limits.pids },
    user: plugin.user ?? null,
    read_only_rootfs: plugin.readOnlyRootfs,
    env: maskSecretEnv(plugin.env),
  };
  return { entry, sha256: createHash('sha256').update(canonicalJson(entry)).digest('hex') };
}
