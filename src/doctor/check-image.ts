import { imageFreshness } from '../build/image-freshness.js';
import type { AuthResolver } from '../agent/ensure-image.js';
import type { ContainerRuntime, DistributionProbe } from '../docker/container-runtime.js';
import type { Plugin } from '../registry/plugin.js';
import type { ImageState } from './image-finding.js';

/** Asking a registry is a network round trip; doctor must stay quick even when one hangs. */
const REGISTRY_TIMEOUT_MS = 5_000;

/**
 * The local image if the engine has it; otherwise whether its registry would serve it, asked
 * without pulling (doctor only looks, `pmt pull` fetches).
 */
export async function checkImage(
  runtime: ContainerRuntime & DistributionProbe,
  plugin: Plugin,
  resolveAuth: AuthResolver,
  registryFlag?: string,
): Promise<ImageState> {
  const local = await runtime.findImage(plugin.image);
  if (local) return { present: true, id: local.id, freshness: await imageFreshness(plugin, local, registryFlag) };
  const { auth } = await resolveAuth(plugin.image);
  const signal = AbortSignal.timeout(REGISTRY_TIMEOUT_MS);
  try {
    return { present: false, registry: await runtime.inspectDistribution(plugin.image, auth, signal) };
  } catch (error) {
    if (!signal.aborted) throw error;
    return { present: false, registry: { available: false, reason: `its registry did not answer within ${REGISTRY_TIMEOUT_MS / 1000} s` } };
  }
}
