import type { ContainerRuntime, PluginContainer } from '../docker/container-runtime.js';
import { MainShellGone } from '../docker/main-shell.js';
import { EngineUnreachableError } from '../errors.js';
import type { Plugin } from '../registry/plugin.js';
import type { CurlProbe } from './curl-finding.js';

/** `curl -V` answers at once; a probe that takes longer is stuck. */
const PROBE_TIMEOUT_MS = 20_000;

/** Enough for a shell and `curl -V`; the plugin's own limits are for scanning. */
const PROBE_LIMITS = { memoryBytes: 128 * 2 ** 20, cpus: 0, pids: 64 } as const;

/**
 * Runs `curl -V` in a throwaway container of the plugin's image, started like a scan's (the
 * plugin's shell as main process and its user, no network), and removes it again whatever happened.
 */
export async function probeCurl(runtime: ContainerRuntime, plugin: Plugin, labels: Readonly<Record<string, string>>): Promise<CurlProbe> {
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
    // Through the container's main shell, exactly as a scan's compatibility check runs it.
    return { kind: 'ran', result: await container.runInMainShell(['curl', '-V'], { signal }) };
  } catch (error) {
    if (error instanceof EngineUnreachableError) throw error;
    // The plugin's shell did not keep running: a scan could not run the plugin at all.
    if (error instanceof MainShellGone && error.end === 'ended') return { kind: 'not-started', reason: error.message };
    return { kind: 'exec-failed', reason: signal.aborted ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : reasonOf(error) };
  } finally {
    container.detach();
    await runtime.removeContainer(container.id);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
