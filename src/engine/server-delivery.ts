import type { Logger } from 'pino';
import type { PluginOutcome } from '../agent/plugin-outcome.js';
import { probeServer, uploadResults, type UploadItem, type UploadOutcome } from '../sinks/pmt-server.js';
import type { Filestore } from '../store/filestore.js';
import { maskCredentials } from '../log/mask-credentials.js';

/** What the report says about the PMT server: where, whether it answered, what each upload came to. */
export interface DeliveryReport {
  /** The server's base URL, its password masked. */
  readonly serverUrl: string;
  readonly reachable: boolean;
  readonly reason: string | undefined;
  readonly uploads: readonly UploadOutcome[];
}

/**
 * Sends the results of succeeded plugins to the PMT server. The server is probed once before any
 * container starts, so an unreachable one is said plainly up front; the scan still runs and its
 * results are kept locally, but nothing is sent to a server that did not answer.
 */
export class ServerDelivery {
  private constructor(
    private readonly serverUrl: string,
    private readonly unreachable: string | undefined,
    private readonly logger: Logger,
  ) {}

  static async start(serverUrl: string, logger: Logger, signal: AbortSignal): Promise<ServerDelivery> {
    const probe = await probeServer(serverUrl, { signal });
    if (probe.ok) {
      logger.info(`PMT server at ${maskCredentials(serverUrl)} is up${probe.version ? ` (version ${probe.version})` : ''}`);
      return new ServerDelivery(serverUrl, undefined, logger);
    }
    logger.warn(`PMT server unreachable: ${probe.reason}; the scan runs and keeps its results locally, but uploads nothing`);
    return new ServerDelivery(serverUrl, probe.reason, logger);
  }

  /** One upload per result file of each succeeded plugin; failed plugins' results are never sent. */
  async deliver(filestore: Filestore, outcomes: readonly PluginOutcome[], signal: AbortSignal): Promise<DeliveryReport> {
    const items: UploadItem[] = outcomes
      .filter((o) => o.status === 'succeeded' || o.status === 'cached')
      .flatMap((o) =>
        o.results.map((r) => ({
          plugin: o.plugin.name,
          importer: o.plugin.importer,
          fileName: r.name,
          size: r.size,
          open: () => filestore.open(o.id, r.name),
        })),
      );
    const uploads = this.unreachable === undefined ? await this.upload(items, signal) : items.map((item) => this.skipped(item));
    return { serverUrl: maskCredentials(this.serverUrl), reachable: this.unreachable === undefined, reason: this.unreachable, uploads };
  }

  private async upload(items: readonly UploadItem[], signal: AbortSignal): Promise<UploadOutcome[]> {
    const outcomes = await uploadResults(items, {
      baseUrl: this.serverUrl,
      signal,
      onAttempt: (attempt) => {
        if (attempt.willRetry) {
          this.logger.warn(`Upload of ${attempt.plugin}/${attempt.fileName} failed (${attempt.message}); retrying in ${attempt.delayMs} ms`);
        }
      },
    });
    for (const o of outcomes) {
      if (o.status === 'uploaded') this.logger.info(`Uploaded ${o.plugin}/${o.fileName} to importer ${o.importer}${o.location ? `: ${o.location}` : ''}`);
      else if (o.status === 'ignored') this.logger.warn(`PMT server has no importer for ${o.plugin}/${o.fileName} (${o.importer}): ${o.message ?? ''}`);
      else this.logger.error(`Upload of ${o.plugin}/${o.fileName} failed: ${o.message ?? 'unknown reason'}`);
    }
    return outcomes;
  }

  private skipped(item: UploadItem): UploadOutcome {
    return {
      plugin: item.plugin,
      fileName: item.fileName,
      importer: item.importer,
      url: maskCredentials(this.serverUrl),
      status: 'failed',
      attempts: 0,
      message: `not uploaded: the PMT server did not answer at the start of the run (${this.unreachable})`,
    };
  }
}
