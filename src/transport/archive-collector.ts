import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { RESULT_DIR } from '../agent/container-spec.js';
import { PluginFailure } from '../agent/plugin-failure.js';
import { dockerStatusCode } from '../docker/docker-errors.js';
import type { PluginContainer } from '../docker/container-runtime.js';
import type { Filestore, PutLimits } from '../store/filestore.js';
import type { ContainerSetup, PluginRun, ResultCollector } from './result-collector.js';

/**
 * Collects results by copying them out of the container through the engine's archive API: each
 * declared `/result/<file>` arrives as a one-entry tar stream that is parsed while it streams into
 * the filestore. Needs nothing in the image and works with remote engines.
 */
export class ArchiveCollector implements ResultCollector {
  readonly kind = 'archive' as const;

  constructor(
    private readonly filestore: Filestore,
    private readonly limits: PutLimits,
  ) {}

  setup(): ContainerSetup {
    return { env: {}, binds: [], needsHostNetwork: false };
  }

  readonly probe = undefined;

  checkProbe(): void {}

  async prepare(): Promise<void> {
    // Nothing to get ready: archive copy asks the engine when collecting.
  }

  async collect(run: PluginRun, container: PluginContainer, _shell: unknown, signal: AbortSignal): Promise<void> {
    for (const name of run.plugin.results) {
      await this.copyOut(run, container, name, signal);
    }
  }

  release(): void {}

  private async copyOut(run: PluginRun, container: PluginContainer, name: string, signal: AbortSignal): Promise<void> {
    let archive;
    try {
      archive = await container.getArchive(`${RESULT_DIR}/${name}`, signal);
    } catch (error) {
      if (dockerStatusCode(error) === 404) {
        throw new PluginFailure(
          `declared result ${RESULT_DIR}/${name} of plugin ${run.plugin.name} was not written`,
          `check the plugin's cmd writes ${RESULT_DIR}/${name}, or fix its results list`,
        );
      }
      throw error;
    }
    let stored = false;
    const tar = extract();
    tar.on('entry', (header, stream, next) => {
      if (stored || header.type !== 'file') {
        stream.resume();
        if (!stored) {
          tar.destroy(new PluginFailure(`declared result ${RESULT_DIR}/${name} of plugin ${run.plugin.name} is not a regular file (${header.type})`));
          return;
        }
        return next();
      }
      this.filestore
        .put(run.id, name, stream, this.limits)
        .then(() => {
          stored = true;
          next();
        })
        .catch((error: unknown) => {
          stream.resume();
          tar.destroy(error instanceof Error ? error : new Error(String(error)));
        });
    });
    await pipeline(archive, tar, { signal });
    if (!stored) throw new PluginFailure(`declared result ${RESULT_DIR}/${name} of plugin ${run.plugin.name} came back empty from the engine`);
  }
}
