import type { BindMount } from '../docker/container-runtime.js';
import type { ExecResult } from '../docker/container-runtime.js';
import type { PluginContainer } from '../docker/container-runtime.js';
import type { Plugin } from '../registry/plugin.js';

/** One plugin run as transports see it: its index in the run and its registry entry. */
export interface PluginRun {
  readonly id: number;
  readonly plugin: Plugin;
}

/** What a transport needs in a plugin's container, decided before the container exists. */
export interface ContainerSetup {
  readonly env: Readonly<Record<string, string>>;
  readonly binds: readonly BindMount[];
  /** The container must share the host's network (TCP transport on 127.0.0.1). */
  readonly needsHostNetwork: boolean;
}

/**
 * Runs a command in the plugin's container with logging; the collector decides what failure means.
 * `label` replaces the command in logs when the command itself is a long script.
 */
export type LoggedExec = (command: readonly string[], label?: string) => Promise<ExecResult>;

/** Brings a plugin run's declared result files from its container into the run's filestore. */
export interface ResultCollector {
  readonly kind: 'rest' | 'archive';
  setup(run: PluginRun): ContainerSetup;
  /**
   * A shell command that proves the transport works in the container (e.g. `curl -V`); it runs
   * right after the agent's `echo test`, in the same command.
   */
  readonly probe: string | undefined;
  /** Judges the probe's output (after the `test` line); throws saying what is missing. */
  checkProbe(output: ExecResult): void;
  /**
   * Collects every declared result; rejects naming a missing or refused one. `shell` runs a
   * command of pmt's own in the container (through its main shell), logged.
   */
  collect(run: PluginRun, container: PluginContainer, shell: LoggedExec, signal: AbortSignal): Promise<void>;
  /**
   * Gets ready to collect (the REST server loads and starts listening) and resolves when ready. The
   * agents start it while the engine starts their containers (once the last start has been asked
   * for) and await it before the plugin's cmd runs — a plugin may post its results itself while it
   * runs.
   */
  prepare(): Promise<void>;
  /** Forgets the run (tokens, credentials); called in every case. */
  release(run: PluginRun): void;
}
