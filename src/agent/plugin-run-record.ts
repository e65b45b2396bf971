import type { Logger } from 'pino';
import { imageFreshness } from '../build/image-freshness.js';
import { formatDuration } from '../config/duration.js';
import type { LocalImage } from '../docker/container-runtime.js';
import type { PluginPhase } from '../engine/progress-event.js';
import { ContainerLog } from '../log/container-log.js';
import type { StoredResult } from '../store/filestore.js';
import type { PluginRun } from '../transport/result-collector.js';
import { pluginTimeout, type TimeoutSource } from './container-limits.js';
import { describeFailure } from './describe-failure.js';
import { ensureImage } from './ensure-image.js';
import type { AgentContext } from './plugin-agent.js';
import type { CacheRestore, OutcomeError, PluginOutcome, PluginStatus } from './plugin-outcome.js';

/**
 * What one agent (local container or swarm task) learns about its plugin run as it goes, and the
 * steps every agent takes the same way: the log file, the image, the cache, progress events, how a
 * failure is judged and said, and the outcome.
 */
export class PluginRunRecord {
  readonly started: Date;
  readonly warnings: string[] = [];
  log: ContainerLog | undefined;
  imageId: string | undefined;
  repoDigests: readonly string[] = [];
  restored: CacheRestore | undefined;
  exitCode: number | undefined;
  transport: PluginOutcome['transport'];
  /** The plugin's time limit and which setting gave it. */
  readonly timeout: { readonly ms: number; readonly source: TimeoutSource };
  /** Swarm mode: the node's hostname and the service's name. */
  node: string | undefined;
  service: string | undefined;

  constructor(
    private readonly context: AgentContext,
    private readonly run: PluginRun,
    readonly logger: Logger,
  ) {
    this.started = context.now();
    this.timeout = pluginTimeout(run.plugin, context.config, context.timeoutOverrideMs);
  }

  phase(name: PluginPhase, extra: { detail?: string; percent?: number } = {}): void {
    const { context } = this;
    const node = this.node ? { node: this.node } : {};
    context.progress({ plugin: this.run.plugin.name, phase: name, elapsedMs: context.now().getTime() - context.runStarted.getTime(), ...node, ...extra });
  }

  /**
   * Opens the plugin's log, makes sure `runtime` has the image (pulled with the run's credentials
   * unless it is built from a directory), warns about an image older than its build directory, and
   * looks in the cache. Returns the image, or undefined when the cache restored the results.
   */
  async prepare(runtime: AgentContext['runtime']): Promise<LocalImage | undefined> {
    const { context, run, logger } = this;
    const { plugin } = run;
    this.log = await ContainerLog.create(context.logDir, plugin.name, this.started);
    const image = await ensureImage(runtime, plugin, context.resolveAuth, logger, (percent) => this.phase('pulling', { percent }), context.registryFlag);
    this.imageId = image.id;
    // An edited build directory is not a reason to refuse the image the user has, but it must be said
    // (before the cache, which would otherwise quietly serve the old image's results).
    const freshness = await imageFreshness(plugin, image, context.registryFlag);
    if (freshness.state === 'out of date') {
      logger.warn(`${freshness.message}; running it as it is — ${freshness.hint}`);
      await this.log.note(`warning: ${freshness.message} — ${freshness.hint}`);
      this.warnings.push(`${freshness.message}; the scan ran it as it is — ${freshness.hint}`);
    }
    this.repoDigests = image.repoDigests;
    this.restored = await context.cache?.restore(run, image.id);
    if (!this.restored) return image;
    logger.info('Results restored from the cache; no container started (--no-cache or PMT_NO_CACHE=1 runs the plugin)');
    await this.log.note('results restored from the cache (same image, registry entry and input as an earlier run); no container was started — --no-cache or PMT_NO_CACHE=1 runs the plugin');
    return undefined;
  }

  /** The outcome of a run that threw: interrupted, timed out (its deadline fired) or failed, said once. */
  async failed(error: unknown, deadline: AbortSignal | undefined, what = 'container'): Promise<PluginOutcome> {
    const { context, run, logger } = this;
    await context.filestore.discard(run.id);
    const status: PluginStatus = context.signal.aborted ? 'interrupted' : deadline?.aborted ? 'timed out' : 'failed';
    const described = describeFailure(error, status, { duration: formatDuration(this.timeout.ms), source: this.timeout.source, what });
    if (status === 'interrupted') logger.warn(`Interrupted; removing the ${what}`);
    else logger.error(described.hint ? `${described.message} (${described.hint})` : described.message);
    await this.log?.note(described.message.startsWith(status) ? described.message : `${status}: ${described.message}`).catch(() => undefined);
    return this.outcome(status, described);
  }

  /**
   * The outcome of a run whose results are all in: kept in the cache (with the run that made them;
   * a cache that cannot store is said, not fatal), and said.
   */
  async succeeded(imageId: string): Promise<PluginOutcome> {
    const { context, run, logger } = this;
    const origin = {
      runId: context.identity.runId,
      startedAt: this.started.toISOString(),
      finishedAt: context.now().toISOString(),
      exitCode: this.exitCode ?? 0,
      transport: this.transport ?? 'rest',
    };
    await context.cache?.save(run, imageId, origin).catch((error: unknown) => logger.warn(`Could not store the results in the cache: ${String(error)}`));
    logger.info(`Done: ${context.filestore.list(run.id).length} result file(s)`);
    return this.outcome('succeeded', undefined);
  }

  outcome(status: PluginStatus, error: OutcomeError | undefined): PluginOutcome {
    const { context, run } = this;
    this.phase(status, error ? { detail: error.message } : {});
    const finished = context.now();
    return {
      id: run.id,
      plugin: run.plugin,
      status,
      exitCode: this.exitCode,
      durationMs: finished.getTime() - this.started.getTime(),
      startedAt: this.started,
      finishedAt: finished,
      imageId: this.imageId,
      repoDigests: this.repoDigests,
      cache: status === 'cached' ? this.restored : undefined,
      transport: status === 'cached' ? 'cache' : this.transport,
      results: status === 'succeeded' || status === 'cached' ? inDeclaredOrder(context.filestore.list(run.id), run.plugin.results) : [],
      logPath: this.log?.path,
      error,
      warnings: this.warnings,
      ...(this.service === undefined ? {} : { node: this.node, service: this.service }),
    };
  }
}

/** Results in the order the entry declares them, however they arrived (a tar stream, parallel posts). */
function inDeclaredOrder(results: readonly StoredResult[], declared: readonly string[]): StoredResult[] {
  const order = new Map(declared.map((name, index) => [name, index]));
  return [...results].sort((a, b) => (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity));
}
