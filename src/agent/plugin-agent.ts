import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { BindMount, ContainerRuntime, ExecResult, PluginContainer } from '../docker/container-runtime.js';
import type { ProgressListener } from '../engine/progress-event.js';
import type { BackgroundWork } from '../engine/background-work.js';
import type { StartWave, WaveTicket } from '../engine/start-wave.js';
import type { Filestore } from '../store/filestore.js';
import type { LoggedExec, PluginRun, ResultCollector } from '../transport/result-collector.js';
import { checkContainer, probeOnce } from './check-compatibility.js';
import { probeKey, type ProbeAnswers } from './probe-answers.js';
import { containerLimits } from './container-limits.js';
import { pluginContainerSpec, ROOT_CHMOD, runLabels, runsAsNonRoot, type InputMode, type RunIdentity } from './container-spec.js';
import type { VolumeRuntime } from '../docker/container-runtime.js';
import { createInputVolume } from '../docker/input-volume.js';
import type { AuthResolver } from './ensure-image.js';
import { PluginRunRecord } from './plugin-run-record.js';
import { deadlineSignal, type Deadline } from './deadline-signal.js';
import { commandFailure } from './command-failure.js';
import { commandEndedShell } from './shell-failure.js';
import { loggedCommand } from './logged-command.js';
import type { CacheRestore, PluginOutcome } from './plugin-outcome.js';
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
  /** The transport probe's answers in this run, shared by plugins whose containers are alike. */
  readonly probeAnswers: ProbeAnswers;
  /** The run's agents between their container's create and their command: when deferred work may start. */
  readonly startWave: StartWave;
}

/**
 * One plugin's life cycle: image → (cache) → container → checks → cmd → collect → remove. Never
 * throws: every failure becomes the outcome, and the container is removed in every case.
 */
export async function runPluginAgent(context: AgentContext, run: PluginRun): Promise<PluginOutcome> {
  const { plugin } = run;
  const logger = context.logger.child({ component: 'Plugin agent', plugin: plugin.name });
  const record = new PluginRunRecord(context, run, logger);
  let deadline: Deadline | undefined;
  let container: PluginContainer | undefined;
  let transport: ResultCollector | undefined;
  let collector: ResultCollector | undefined;
  let inputVolume: string | undefined;
  let inWave: WaveTicket | undefined;
  // The input volume's filling helper, kept until the plugin's container holds the run's lease.
  let releaseFiller: (() => Promise<void>) | undefined;
  // Settles once that helper is gone: the volume it mounts can be removed only then.
  let fillerGone: Promise<void> = Promise.resolve();
  // The run's signal (SIGINT/SIGTERM) and, once the image is there, the plugin's own deadline.
  let signal = context.signal;

  // Every command runs through the container's main shell (no engine exec per command) and is
  // logged, with its output, in the plugin's log file.
  const logging = { logger, get log() { return record.log; }, now: context.now };
  const shellOf =
    (target: PluginContainer): LoggedExec =>
    (command, label) =>
      loggedCommand(label ?? command.join(' '), () => target.runInMainShell(command, { signal }), logging);
  const shell: LoggedExec = (command, label) => shellOf(container!)(command, label);

  try {
    signal.throwIfAborted();
    const image = await record.prepare(context.runtime);
    if (!image) return record.outcome('cached', undefined);
    const log = record.log!;
    // Pull time does not count against the timeout; everything from here on does.
    deadline = deadlineSignal(record.timeout.ms);
    signal = AbortSignal.any([context.signal, deadline.signal]);
    record.phase('starting');
    // From here on the engine may hold something of this run that a signal must clean up.
    context.onEngineObjects();
    const inputMode = await context.inputMode(plugin.image);
    transport = await context.collector(plugin.image);
    record.transport = transport.kind;
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
    inWave = context.startWave.join();
    const wave = context.startWave;
    const onStarting = (): void => {
      logger.debug('Attached to the container; starting it');
      inWave!.startSent();
      // The transport gets ready (the REST app loads and is built, ~40 ms of pmt's thread) while
      // the engine starts the containers, once the last of them has been asked for: not between
      // the other agents' creates and their start requests.
      const preparing = transport!;
      void wave.allStartsSent().then(() => preparing.prepare()).catch(() => undefined); // awaited before the command
      // The run's held work (sweeps, the input digest) once every container of the wave runs its
      // command, or once the first plugin is done (below), whichever comes first.
      void wave.allCommandsSent().then(() => context.background.release());
    };
    const spec = pluginContainerSpec(run, inputVolume ?? context.inputDir, context.identity, setup, limits, shield);
    const check = (target: PluginContainer): Promise<ExecResult> => checkContainer(shellOf(target), plugin.shell, undefined);
    // The shell's check (`echo test`) is given to the main shell before the container starts: its
    // line follows pmt's first line, and the shell answers both as it starts (a round trip sooner).
    let checking: Promise<ExecResult> | undefined;
    const onAttached = (attached: PluginContainer): void => {
      checking = check(attached);
      checking.catch(() => undefined); // awaited once the container runs; a failed start reports itself
    };
    container = await context.runtime.startContainer(spec, { onAttached, onStarting });
    logger.debug({ container: container.id.slice(0, 12) }, 'Container started');
    releaseFillerNow();
    // The fresh /result volume belongs to root; a plugin running as another user must be able to write it.
    if (runsAsNonRoot(plugin.user ?? image.user)) {
      await loggedCommand(`${ROOT_CHMOD.join(' ')} (as root, in an engine exec)`, () => container!.exec(ROOT_CHMOD, { user: '0', signal }), logging);
    }

    const checked = await (checking ?? check(container));
    // The transport's probe (`curl -V`), once per kind of container in the run: asked by the first
    // of them to have started, which is the first to be able to answer.
    const { probe } = transport;
    const probed = probe
      ? await probeOnce(shell, plugin.shell, probe, { turn: context.probeAnswers.take(probeKey(image.id, spec)), plugin: plugin.name, signal, note: (message) => log.note(message) })
      : checked;
    collector = await pickCollector(transport, context.archive, context.config.restFallback, probed, logger, log);
    record.transport = collector.kind;

    record.phase('running');
    // Ready before the cmd runs: a plugin may post its results itself while it runs. A failure
    // to get ready fails this plugin.
    await collector.prepare();
    const running = shell([plugin.shell, '-c', plugin.cmd]);
    inWave.commandSent();
    const result = await running.catch((error: unknown) => {
      throw commandEndedShell(error, log.path) ?? error;
    });
    record.exitCode = result.exitCode;
    if (result.exitCode !== 0) throw commandFailure(result, limits, log.path);
    record.phase('collecting');
    await collector.collect(run, container, shell, signal);
    return await record.succeeded(image.id);
  } catch (error) {
    return await record.failed(error, deadline?.signal);
  } finally {
    deadline?.clear();
    inWave?.leave();
    context.background.release(); // a plugin is done: the run's held work need not wait any longer
    transport?.release(run);
    if (collector && collector !== transport) collector.release(run);
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
      await container.finish();
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
}
