import type { AuthResolver } from '../agent/ensure-image.js';
import { registryOf, resolveRegistryAuth } from '../docker/registry-auth.js';

/**
 * Registry credentials for images that must be pulled: the config's (or REMOTEREPO_*) first, then
 * Docker's config. The engine's default registry (GET /info, slow on a busy engine) is asked once,
 * and only for a reference that names no registry host.
 */
export function authResolver(
  credentials: { readonly username: string | undefined; readonly password: string | undefined },
  engine: { defaultRegistry(): Promise<string> },
  env: NodeJS.ProcessEnv,
): AuthResolver {
  let defaultRegistry: Promise<string> | undefined;
  return async (reference) => {
    const named = registryOf(reference, '');
    return resolveRegistryAuth(reference, { ...credentials, defaultRegistry: named || (await (defaultRegistry ??= engine.defaultRegistry())), env });
  };
}
