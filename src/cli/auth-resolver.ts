import type { AuthResolver } from '../agent/ensure-image.js';
import { resolveRegistryAuth } from '../docker/registry-auth.js';

/**
 * Registry credentials for images that must be pulled: the config's (or REMOTEREPO_*) first, then
 * Docker's config. The engine's default registry is asked once, and only when some image is missing.
 */
export function authResolver(
  credentials: { readonly username: string | undefined; readonly password: string | undefined },
  engine: { defaultRegistry(): Promise<string> },
  env: NodeJS.ProcessEnv,
): AuthResolver {
  let defaultRegistry: Promise<string> | undefined;
  return async (reference) =>
    resolveRegistryAuth(reference, { ...credentials, defaultRegistry: await (defaultRegistry ??= engine.defaultRegistry()), env });
}
