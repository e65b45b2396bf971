import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { ContainerRuntime, EngineReach, FileSharingProbe } from '../docker/container-runtime.js';
import type { Filestore } from '../store/filestore.js';
import type { ArchiveCollector } from '../transport/archive-collector.js';
import { RestCollector } from '../transport/rest-collector.js';
import { openRestEndpoint, type RestEndpoint } from '../transport/rest-endpoint.js';
import type { ResultCollector } from '../transport/result-collector.js';
import type { BackgroundWork } from './background-work.js';
import { checkFileSharing } from './file-sharing.js';

/**
 * How a run's plugins see the input and send back results, decided once for the whole run: whether
 * the engine sees pmt's files (so the input can be bind-mounted), and which collector gathers
 * results (the REST endpoint, or archive copy when REST is off or binds cannot be trusted).
 */
export interface RunTransport {
  /** Whether bind mounts show the engine this machine's files; settled when first asked. */
  sharesFiles(image: string): Promise<boolean>;
  /** The run's one collector; the REST endpoint starts when the first plugin needs a container. */
  collector(image: string): Promise<ResultCollector>;
  /** Closes the REST endpoint if one was opened. */
  close(): Promise<void>;
}

export interface RunTransportOptions {
  readonly config: Config;
  readonly engine: EngineReach;
  readonly runtime: ContainerRuntime;
  /** Proves that a local engine sees pmt's files; without it a local engine is trusted. */
  readonly fileSharing: FileSharingProbe | undefined;
  readonly inputDir: string;
  /** The run's own temp directory: the probe's marker and the REST socket go there. */
  readonly tempDir: string;
  /** Put on the probe's container, like on every container of the run. */
  readonly labels: Readonly<Record<string, string>>;
  readonly filestore: Filestore;
  readonly archive: ArchiveCollector;
  readonly limits: { readonly maxFileBytes: number; readonly maxRunBytes: number };
  /** The image of the run's first plugin: the probe starts at once when the engine has it. */
  readonly firstImage: string | undefined;
  readonly background: BackgroundWork;
  /** The run's root logger (the endpoint logs as its own component) and the Core child. */
  readonly rootLogger: Logger;
  readonly logger: Logger;
  /** Called before the probe creates its container: from then on a signal has something to clean up. */
  readonly onEngineObjects: () => void;
}

export function openRunTransport(options: RunTransportOptions): RunTransport {
  const { config, engine, runtime, fileSharing, logger } = options;
  if (config.restApi && !engine.local) {
    logger.info(`The engine at ${engine.endpoint} is not on this machine: the input is copied into each container and results come back by archive copy`);
  }
  // Settled once, when the first plugin needs a container (with its image, which the engine then
  // has): a run served from the cache needs none.
  let sharing: Promise<boolean> | undefined;
  const sharesFiles = (image: string): Promise<boolean> =>
    (sharing ??= (async () => {
      if (!engine.local || !fileSharing) return engine.local;
      options.onEngineObjects();
      const verdict = await checkFileSharing(
        // The probe's container goes once the first plugin's is starting, not while the engine
        // creates that one; the run waits for it before it ends.
        { probe: fileSharing, tempParent: options.tempDir, inputDir: options.inputDir, labels: options.labels, deferRemoval: (remove) => void options.background.later(remove) },
        image,
      );
      if (!verdict.shared) {
        logger.warn(`The Docker engine at ${engine.endpoint} does not see pmt's files (${verdict.reason}), as when pmt runs in a container with the engine's socket mounted: copying the input into each container and collecting results by archive copy`);
      }
      return verdict.shared;
    })());
  // The check costs a container create and remove: it starts now, beside the run's other
  // preparations, when the first plugin's image is already there.
  const first = options.firstImage;
  if (engine.local && fileSharing && first) {
    options.background.add(
      runtime
        .findImage(first)
        .then(
          (image) => (image ? sharesFiles(first).then(() => undefined) : undefined),
          () => undefined, // the agents meet the same failure, and report it
        )
        .catch(() => undefined),
    );
  }
  let endpoint: Promise<RestEndpoint> | undefined;
  let collector: Promise<ResultCollector> | undefined;
  return {
    sharesFiles,
    collector: (image) =>
      (collector ??= (async () => {
        if (!config.restApi || !(await sharesFiles(image))) return options.archive;
        endpoint = openRestEndpoint({ filestore: options.filestore, transport: config.restTransport, limits: options.limits, logger: options.rootLogger, tempParent: options.tempDir });
        return new RestCollector(await endpoint, options.filestore);
      })()),
    close: async () => {
      await (await endpoint?.catch(() => undefined))?.close();
    },
  };
}
