import type { Logger } from 'pino';
import { imageFreshness } from '../build/image-freshness.js';
import type { Config } from '../config/config.js';
import { formatDuration } from '../config/duration.js';
import type { BindMount, ContainerRuntime, PluginContainer } from '../docker/container-runtime.js';
import type { PluginPhase, ProgressListener } from '../engine/progress-event.js';
import type { BackgroundWork } from '../engine/background-work.js';
import { ContainerLog } from '../log/container-log.js';
import type { Filestore, StoredResult } from '../store/filestore.js';
import type { LoggedExec, PluginRun, ResultCollector } from '../transport/result-collector.js';
import { checkContainer } from './check-compatibility.js';
import { containerLimits, pluginTimeoutMs, timeoutSource } from './container-limits.js';
import { pluginContainerSpec, ROOT_CHMOD, runLabels, runsAsNonRoot, type InputMode, type RunIdentity } from './container-spec.js';
import type { VolumeRuntime } from '../docker/container-runtime.js';
import { createInputVolume } from '../docker/input-volume.js';
import { ensureImage, type AuthResolver } from './ensure-image.js';
import { deadlineSignal, type Deadline } from './deadline-signal.js';
import { describeFailure } from './describe-failure.js';
import { commandFailure } from './command-failure.js';
import { commandEndedShell } from './shell-failure.js';
import { loggedCommand } from './logged-command.js';
import type { CacheRestore, OutcomeError, PluginOutcome, PluginStatus } from './plugin-outcome.js';
import type { CacheOrigin } from '../cache/cache-manifest.js';

export type { CacheRestore } from './plugin-outcome.js';
import { pickCollector } from './pick-collector.js';

/** Restores or keeps a plugin run's results by image and input, so unchanged work is not redone. */
export interface PluginCache {
  /** What was restored into the filestore, or undefined on a miss. */
  restore(run: PluginRun, imageId: string): Promise<CacheRestore | undefined>;
  /** Keeps the run's results, with the run that produced them. */
  save(run: PluginRun, imageId: string, origin: CacheOrigin): Promise<void>;
}

/** Everything one agent works with; the engine builds it once per run. */
export interface AgentContext {
  readonly runtime: ContainerRuntime;
  readonly config: Config;
  readonly identity: RunIdentity;
  readonly inputDir: string;
  /** `bind` mounts the input read-only; `copy` ships it into the container (remote engines). */
  readonly inputMode: (image: string) => Promise<InputMode>;
  /** Where the input goes when inputMode is `copy`: a volume the container mounts read-only. */
  readonly volumes: VolumeRuntime;
  readonly respectGitignore: boolean;
  /** pmt's own output dirs inside the input (relative to it): plugins never see them. */
  readonly hiddenPaths: readonly string[];
  /** bind mode: the read-only mounts over sub-mounts, special files and hidden paths of the input (see InputShield). */
  readonly inputShield: () => Promise<readonly BindMount[]>;
  readonly logDir: string;
  readonly filestore: Filestore;
  /** The run's transport, started on first use (with a present image); REST may fall back to archive copy per plugin. */
  readonly collector: (image: string) => Promise<ResultCollector>;
  readonly archive: ResultCollector;
  readonly cache: PluginCache | undefined;
  /** `--timeout`: overrides every plugin's own. */
  readonly timeoutOverrideMs: number | undefined;
  readonly resolveAuth: AuthResolver;
  readonly logger: Logger;
  readonly progress: ProgressListener;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly runStarted: Date;
  /** The `-r FILE` of the command, for the build command an unbuilt image's error names. */
  readonly registryFlag?: string;
  /** Where the agent leaves the removal of its container, which the run awaits before it ends. */
  readonly background: BackgroundWork;
  /** Called before the agent first creates anything on the engine (a container, a volume). */
  readonly onEngineObjects: () => void;
}

/**
 * One plugin's life cycle: image → (cache) → container → checks → cmd → collect → remove. Never
 * throws: every failure becomes the outcome, and the container is removed in every case.
 */
export async function runPluginAgent(context: AgentContext, run: PluginRun): Promise<PluginOutcome> {
  const { plugin } = run;
  const logger = context.logger.child({ component: 'Plugin agent', plugin: plugin.name });
  const started = context.now();
  const timeoutMs = pluginTimeoutMs(plugin, context.config, context.timeoutOverrideMs);
  const phase = (name: PluginPhase, extra: { detail?: string; percent?: number } = {}): void =>
    context.progress({ plugin: plugin.name, phase: name, elapsedMs: context.now().getTime() - context.runStarted.getTime(), ...extra });
  let deadline: Deadline | undefined;
  /** What the user should know although the plugin ran (shown in the summary and --json). */
  const warnings: string[] = [];
  let container: PluginContainer | undefined;
  let log: ContainerLog | undefined;
  let imageId: string | undefined;
  let repoDigests: readonly string[] = [];
  let restored: CacheRestore | undefined;
  let exitCode: number | undefined;
  let transport: ResultCollector | undefined;
  let collector: ResultCollector | undefined;
  let inputVolume: string | undefined;
  // The input volume's filling helper, kept until the plugin's container holds the run's lease.
  let releaseFiller: (() => Promise<void>) | undefined;
  // Settles once that helper is gone: the volume it mounts can be removed only then.
  let fillerGone: Promise<void> = Promise.resolve();
  // The run's signal (SIGINT/SIGTERM) and, once the image is there, the plugin's own deadline.
  let signal = context.signal;

  // Every command runs through the container's main shell (no engine exec per command) and is
  // logged, with its output, in the plugin's log file.
  const logging = { logger, get log() { return log; }, now: context.now };
  const shell: LoggedExec = (command, label) =>
    loggedCommand(label ?? command.join(' '), () => container!.runInMainShell(command, { signal }), logging);

  try {
    signal.throwIfAborted();
    log = await ContainerLog.create(context.logDir, plugin.name, started);
    const image = await ensureImage(context.runtime, plugin, context.resolveAuth, logger, (percent) => phase('pulling', { percent }), context.registryFlag);
    imageId = image.id;
    // An edited build directory is not a reason to refuse the image the user has, but it must be said
    // (before the cache, which would otherwise quietly serve the old image's results).
    const freshness = await imageFreshness(plugin, image, context.registryFlag);
    if (freshness.state === 'out of date') {
      logger.warn(`${freshness.message}; running it as it is — ${freshness.hint}`);
      await log.note(`warning: ${freshness.message} — ${freshness.hint}`);
      warnings.push(`${freshness.message}; the scan ran it as it is — ${freshness.hint}`);
    }
    repoDigests = image.repoDigests;
    restored = await context.cache?.restore(run, imageId);
    if (restored) {
      logger.info('Results restored from the cache; no container started (--no-cache or PMT_NO_CACHE=1 runs the plugin)');
      await log.note('results restored from the cache (same image, registry entry and input as an earlier run); no container was started — --no-cache or PMT_NO_CACHE=1 runs the plugin');
      return outcome('cached', undefined);
    }
    // Pull time does not count against the timeout; everything from here on does.
    deadline = deadlineSignal(timeoutMs);
    signal = AbortSignal.any([context.signal, deadline.signal]);
    phase('starting');
    // From here on the engine may hold something of this run that a signal must clean up.
    context.onEngineObjects();
    const inputMode = await context.inputMode(plugin.image);
    transport = await context.collector(plugin.image);
    const setup = transport.setup(run);
    const limits = containerLimits(plugin, context.config);
    const shield = inputMode === 'bind' ? await context.inputShield() : [];
    if (inputMode === 'copy') {
      const labels = runLabels(run, context.identity);
      const shipped = await createInputVolume(context.volumes, {
        dir: context.inputDir,
        image: plugin.image,
        shell: plugin.shell,
        labels,
        respectGitignore: context.respectGitignore,
        exclude: context.hiddenPaths,
        signal,
      });
      inputVolume = shipped.name;
      releaseFiller = shipped.release;
      const { summary } = shipped;
      logger.info(`Input copied into volume ${shipped.name.slice(0, 12)}: ${summary.files} files, ${summary.bytes} bytes (gitignore: ${shipped.gitignore})`);
      if (summary.rewrittenCount > 0) {
        logger.info(`${summary.rewrittenCount} symlink(s) leading out of the input got the absolute target they resolve to in the container: ${summary.rewrittenLinks.join(', ')}`);
      }
      if (summary.unreadableCount > 0) logger.warn(`${summary.unreadableCount} file(s) pmt cannot read were copied empty: ${summary.unreadable.join(', ')}`);
    }
    logger.debug(`Creating the container from ${plugin.image}`);
    // The transport gets ready (the REST server loads and starts) while the engine starts the container.
    let ready: Promise<void> | undefined;
    const onStarting = (): void => {
      ready = transport!.prepare();
      ready.catch(() => undefined); // awaited below; a failure then fails this plugin
    };
    container = await context.runtime.startContainer(pluginContainerSpec(run, inputVolume ?? context.inputDir, context.identity, setup, limits, shield), { onStarting });
    logger.debug({ container: container.id.slice(0, 12) }, 'Container started');
    releaseFillerNow();
    // The fresh /result volume belongs to root; a plugin running as another user must be able to write it.
    if (runsAsNonRoot(plugin.user ?? image.user)) {
      await loggedCommand(`${ROOT_CHMOD.join(' ')} (as root, in an engine exec)`, () => container!.exec(ROOT_CHMOD, { user: '0', signal }), logging);
    }

    const probed = await checkContainer(shell, plugin.shell, transport.probe);
    collector = await pickCollector(transport, context.archive, context.config.restFallback, probed, logger, log);

    phase('running');
    // Ready before the cmd runs: a plugin may post its results itself while it runs.
    await (collector === transport ? ready : collector.prepare());
    const result = await shell([plugin.shell, '-c', plugin.cmd]).catch((error: unknown) => {
      throw commandEndedShell(error, log!.path) ?? error;
    });
    exitCode = result.exitCode;
    if (result.exitCode !== 0) throw commandFailure(result, limits, log.path);
    phase('collecting');
    await collector.collect(run, container, shell, signal);
    const origin: CacheOrigin = {
      runId: context.identity.runId,
      startedAt: started.toISOString(),
      finishedAt: context.now().toISOString(),
      exitCode: result.exitCode,
      transport: collector.kind,
    };
    await context.cache?.save(run, imageId, origin).catch((error: unknown) => logger.warn(`Could not store the results in the cache: ${String(error)}`));
    logger.info(`Done: ${context.filestore.list(run.id).length} result file(s)`);
    return outcome('succeeded', undefined);
  } catch (error) {
    await context.filestore.discard(run.id);
    const status: PluginStatus = context.signal.aborted ? 'interrupted' : deadline?.signal.aborted ? 'timed out' : 'failed';
    const described = describeFailure(error, status, { duration: formatDuration(timeoutMs), source: timeoutSource(plugin, context.timeoutOverrideMs) });
    if (status === 'interrupted') logger.warn('Interrupted; removing the container');
    else logger.error(described.hint ? `${described.message} (${described.hint})` : described.message);
    await log?.note(described.message.startsWith(status) ? described.message : `${status}: ${described.message}`).catch(() => undefined);
    return outcome(status, described);
  } finally {
    deadline?.clear();
    transport?.release(run);
    if (collector && collector !== transport) collector.release(run);
    container?.detach();
    releaseFillerNow();
    // The plugin is done: its container (and input volume) go while the next plugin starts; the
    // run waits for this before it ends.
    context.background.add(removeAll(container, inputVolume));
  }

  function releaseFillerNow(): void {
    if (!releaseFiller) return;
    fillerGone = releaseFiller().catch((error: unknown) => logger.error(`Could not remove the input volume's helper container: ${String(error)}`));
    context.background.add(fillerGone);
    releaseFiller = undefined;
  }

  async function removeAll(container: PluginContainer | undefined, inputVolume: string | undefined): Promise<void> {
    if (container) {
      await context.runtime.removeContainer(container.id).then(
        () => logger.debug({ container: container.id.slice(0, 12) }, 'Container removed'),
        (error: unknown) => logger.error(`Could not remove container ${container.id.slice(0, 12)}: ${String(error)}`),
      );
    }
    if (inputVolume) {
      await fillerGone;
      await context.volumes.removeVolume(inputVolume).catch((error: unknown) => {
        logger.error(`Could not remove input volume ${inputVolume.slice(0, 12)}: ${String(error)}`);
      });
    }
  }

  function outcome(status: PluginStatus, error: OutcomeError | undefined): PluginOutcome {
    phase(status, error ? { detail: error.message } : {});
    const finished = context.now();
    return {
      id: run.id,
      plugin,
      status,
      exitCode,
      durationMs: finished.getTime() - started.getTime(),
      startedAt: started,
      finishedAt: finished,
      imageId,
      repoDigests,
      cache: status === 'cached' ? restored : undefined,
      transport: status === 'cached' ? 'cache' : (collector ?? transport)?.kind,
      results: status === 'succeeded' || status === 'cached' ? inDeclaredOrder(context.filestore.list(run.id), plugin.results) : [],
      logPath: log?.path,
      error,
      warnings,
    };
  }
}

/** Results in the order the entry declares them, however they arrived (a tar stream, parallel posts). */
function inDeclaredOrder(results: readonly StoredResult[], declared: readonly string[]): StoredResult[] {
  const order = new Map(declared.map((name, index) => [name, index]));
  return [...results].sort((a, b) => (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity));
}
