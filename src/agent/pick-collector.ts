import type { Logger } from 'pino';
import type { ContainerLog } from '../log/container-log.js';
import type { ExecResult } from '../docker/container-runtime.js';
import type { ResultCollector } from '../transport/result-collector.js';
import { PluginFailure } from './plugin-failure.js';

/**
 * The run's transport when the container supports it; otherwise archive copy (with a warning) when
 * RestFallback allows, else a failure that says what is missing.
 */
export async function pickCollector(
  transport: ResultCollector,
  archive: ResultCollector,
  restFallback: boolean,
  probeOutput: ExecResult,
  logger: Logger,
  log: ContainerLog,
): Promise<ResultCollector> {
  try {
    transport.checkProbe(probeOutput);
    return transport;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (transport === archive || !restFallback) {
      throw new PluginFailure(reason, 'add curl to the plugin image, or set "RestFallback": true / "RestApi": false in the core engine config');
    }
    logger.warn(`${reason}; falling back to archive copy for this plugin`);
    await log.note(`${reason}; falling back to archive copy`);
    return archive;
  }
}
