import { checkContainer } from '../agent/check-compatibility.js';
import { PluginFailure } from '../agent/plugin-failure.js';
import type { ContainerRuntime, PluginContainer } from '../docker/container-runtime.js';
import { EngineUnreachableError } from '../errors.js';
import type { Plugin } from '../registry/plugin.js';
import type { CurlProbe } from './curl-finding.js';

/** `echo test; curl -V` answers at once; a probe that takes longer is stuck. */
const PROBE_TIMEOUT_MS = 20_000;

/** Enough for a shell and `curl -V`; the plugin's own limits are for scanning. */
const PROBE_LIMITS = { memoryBytes: 128 * 2 ** 20, cpus: 0, pids: 64 } as const;

/**
 * Runs a scan's compatibility check (`<shell> -c 'echo test[; curl -V]'`, through the plugin's
 * shell as the container's main process, as its user, without network) in a throwaway container of
 * the plugin's image, and removes it again whatever happened. `not-started` means a scan could not
 * run the plugin at all (no such shell, not a POSIX shell, no `echo`), with the message a scan gives.
 */
export async function probePlugin(runtime: ContainerRuntime, plugin: Plugin, labels: Readonly<Record<string, string>>, withCurl: boolean): Promise<CurlProbe> {
  let container: PluginContainer;
  try {
    container = await runtime.startContainer({
      image: plugin.image,
      command: [plugin.shell],
      labels,
      binds: [],
      volumes: [],
      env: {},
      networkMode: 'none',
      limits: PROBE_LIMITS,
      user: plugin.user,
      readOnlyRootfs: true,
    });
  } catch (error) {
    if (error instanceof EngineUnreachableError) throw error;
    return { kind: 'not-started', reason: reasonOf(error) };
  }
  const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const run = (command: readonly string[]) => container.runInMainShell(command, { signal });
    return { kind: 'ran', result: await checkContainer(run, plugin.shell, withCurl ? 'curl -V' : undefined) };
  } catch (error) {
    if (error instanceof EngineUnreachableError) throw error;
    if (error instanceof PluginFailure) return { kind: 'not-started', reason: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    return { kind: 'exec-failed', reason: signal.aborted ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : reasonOf(error) };
  } finally {
    container.detach();
    await runtime.removeContainer(container.id);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
