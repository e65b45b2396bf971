import type { Logger } from 'pino';
import type { ContainerRuntime } from '../docker/container-runtime.js';
import type { ResolvedAuth } from '../docker/registry-auth.js';
import { PmtError, ExitCode } from '../errors.js';
import type { Plugin } from '../registry/plugin.js';
import { buildHint } from './build-hint.js';

export type AuthResolver = (reference: string) => Promise<ResolvedAuth>;

/**
 * The plugin's image id: the local image when the engine has it (no credentials needed, unlike the
 * original), otherwise pulled with the first credentials found.
 */
export async function ensureImage(
  runtime: ContainerRuntime,
  plugin: Plugin,
  resolveAuth: AuthResolver,
  logger: Logger,
): Promise<string> {
  const local = await runtime.findImage(plugin.image);
  if (local) return local.id;

  const { auth, source } = await resolveAuth(plugin.image);
  logger.info(`Image ${plugin.image} is not on the engine; pulling it (credentials: ${source})`);
  try {
    await runtime.pullImage(plugin.image, auth);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PmtError(
      `image ${plugin.image} is not on the Docker engine and pulling it failed (credentials: ${source}): ${reason}`,
      { origin: 'docker', exitCode: ExitCode.pluginFailed, hint: buildHint(plugin), cause: error },
    );
  }
  const pulled = await runtime.findImage(plugin.image);
  if (!pulled) throw new PmtError(`image ${plugin.image} was pulled but the engine does not list it`, { origin: 'docker' });
  return pulled.id;
}
