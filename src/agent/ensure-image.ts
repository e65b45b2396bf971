import type { Logger } from 'pino';
import type { ContainerRuntime, LocalImage } from '../docker/container-runtime.js';
import { PullMeter } from '../docker/pull-meter.js';
import type { ResolvedAuth } from '../docker/registry-auth.js';
import { PmtError, ExitCode } from '../errors.js';
import type { Plugin } from '../registry/plugin.js';
import { buildHint } from './build-hint.js';

export type AuthResolver = (reference: string) => Promise<ResolvedAuth>;

/**
 * The plugin's image id: the local image when the engine has it (no credentials needed, unlike the
 * original), otherwise pulled with the first credentials found — unless the registry says the image
 * is built from a local directory.
 */
export async function ensureImage(
  runtime: ContainerRuntime,
  plugin: Plugin,
  resolveAuth: AuthResolver,
  logger: Logger,
  onPull: (percent: number) => void = () => undefined,
  registryFlag?: string,
): Promise<LocalImage> {
  const local = await runtime.findImage(plugin.image);
  if (local) return local;
  // A plugin with a build directory is made here; a registry image of the same name may be anyone's.
  if (plugin.build) {
    throw new PmtError(`image ${plugin.image} is not built: plugin "${plugin.name}" is built from ${plugin.build}, so pmt does not pull it`, {
      origin: 'docker',
      exitCode: ExitCode.pluginFailed,
      hint: buildHint(plugin, registryFlag),
    });
  }

  const { auth, source } = await resolveAuth(plugin.image);
  logger.info(`Image ${plugin.image} is not on the engine; pulling it (credentials: ${source})`);
  try {
    onPull(0);
    const meter = new PullMeter();
    await runtime.pullImage(plugin.image, auth, (event) => {
      meter.update(event);
      const percent = meter.percent();
      if (percent !== undefined) onPull(percent);
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PmtError(
      `image ${plugin.image} is not on the Docker engine and pulling it failed (credentials: ${source}): ${reason}`,
      { origin: 'docker', exitCode: ExitCode.pluginFailed, hint: buildHint(plugin, registryFlag), cause: error },
    );
  }
  const pulled = await runtime.findImage(plugin.image);
  if (!pulled) throw new PmtError(`image ${plugin.image} was pulled but the engine does not list it`, { origin: 'docker' });
  return pulled;
}
