import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { Logger } from 'pino';
import type { AuthResolver } from '../agent/ensure-image.js';
import { runPluginAgent, type AgentContext } from '../agent/plugin-agent.js';
import { StartWave } from './start-wave.js';
import { ProbeAnswers } from '../agent/probe-answers.js';
import type { ResultCache } from '../cache/result-cache.js';
import type { Config } from '../config/config.js';
import type { ContainerRuntime, EngineInfo, EngineReach, FileSharingProbe, VolumeRuntime } from '../docker/container-runtime.js';
import { Labels } from '../docker/labels.js';
import type { Plugin } from '../registry/plugin.js';
import { writeProvenanceRecord } from '../sinks/provenance-record.js';
import type { DsseSigner } from '../provenance/dsse-envelope.js';
import { Filestore } from '../store/filestore.js';
import { ArchiveCollector } from '../transport/archive-collector.js';
import { BackgroundWork } from './background-work.js';
import { CACHE_ENGINE_VERSION, CachedResults } from './cached-results.js';
import { cacheDigest, describeInput } from './input-facts.js';
import { mapBounded } from './map-bounded.js';
import { openInputView, type InputView } from './input-view.js';
import type { ProgressListener } from './progress-event.js';
import { reapDeadRuns } from './reap-dead-runs.js';
import type { SwarmRuntime, SwarmState } from '../docker/swarm-runtime.js';
import { RunTempDir } from './run-temp-dir.js';
import { sweepRunTempDirs } from './sweep-run-temp-dirs.js';
import type { PluginReport, ScanReport } from './scan-report.js';
import { ServerDelivery } from './server-delivery.js';
import { openRunOutputDirs } from './run-output-dirs.js';
import { openRunTransport } from './run-transport.js';
import { savePluginResults } from './save-plugin-results.js';
import { checkSwarm, NO_LOCAL_TRANSPORT, openSwarmRun } from './swarm-run.js';

export interface ScanRequest {
  readonly plugins: readonly Plugin[];
  /** Absolute path of an existing directory. */
  readonly inputDir: string;
  /** `-o`: overrides PathDirResults. */
  readonly resultsDir: string | undefined;
  readonly concurrency: number;
  /** False with `--no-upload`: results stay local even when a server is configured. */
  readonly upload: boolean;
  /** `--timeout`: overrides every plugin's own timeout. */
  readonly timeoutMs: number | undefined;
  /** Remote engines: ship only what git does not ignore. */
  readonly respectGitignore: boolean;
  /** The `-r FILE` of the command, named in the build command of an unbuilt image. */
  readonly registryFlag?: string;
}

/** The collaborators of a run; the CLI passes real ones, tests may pass others. */
export interface ScanEnvironment {
  readonly config: Config;
  readonly runtime: ContainerRuntime;
  readonly resolveAuth: AuthResolver;
  readonly logger: Logger;
  readonly progress: ProgressListener;
  /** The result cache; undefined with --no-cache. */
  readonly cache: ResultCache | undefined;
  /** The input digest's stat cache (statCacheDirOf), with or without the result cache; unset: none. */
  readonly statDir?: string;
  /** Ships the input into a container when the engine cannot bind-mount it (remote engines). */
  readonly volumes: VolumeRuntime;
  /**
   * Proves that a local engine sees this machine's files before the run binds any (pmt in a
   * container with the host's socket mounted does not); without it a local engine is trusted.
   */
  readonly fileSharing?: FileSharingProbe;
  readonly signal: AbortSignal;
  /** Written on every container and volume as information for people; liveness never uses them. */
  readonly pid: number;
  readonly host: string;
  readonly now: () => Date;
  /**
   * Called once, before the run first creates anything on the engine: until then an interrupted
   * run has nothing to clean up there.
   */
  readonly onEngineObjects?: () => void;
  /** Where each run's logs directory goes when PathDirLogs is empty (defaultLogsRoot); unset: a temp dir. */
  readonly logsRoot?: string;
  /** Where per-run temp dirs go (results when the config leaves them empty, spill files, sockets). */
  readonly tempParent?: string;
  /** Signs the run's provenance record (ProvenanceKey); undefined: the record is written unsigned. */
  readonly provenanceSigner?: DsseSigner;
  /** The engine's swarm side: on a swarm manager the sweep of dead runs' leftovers takes services and secrets too. */
  readonly swarm?: SwarmRuntime;
}

/**
 * One `pmt scan`: agents for the selected plugins in parallel (bounded), results collected into one
 * filestore, saved locally, uploaded, and a report. Holds no state outside this call.
 */
export async function runScan(request: ScanRequest, env: ScanEnvironment): Promise<ScanReport> {
  const started = env.now();
  const logger = env.logger.child({ component: 'Core' });
  const engine = await env.runtime.ping();
  const background = new BackgroundWork();
  const runId = randomBytes(6).toString('hex');
  // The swarm check's answer, once it has one: the sweep's manager check and engine clock come from it.
  const seen: { swarmState?: SwarmState } = {};
  // What runs that are gone left goes once this run's containers are running (before, this run has
  // nothing the reaper could mistake; see BackgroundWork); the run waits for it before it ends.
  background.later(() =>
    reapDeadRuns(env.runtime, env.volumes, logger, { swarm: env.swarm, swarmState: seen.swarmState, ownRun: runId }).then(
      () => undefined,
      (error: unknown) => logger.warn(`Could not remove containers left by earlier pmt runs: ${error instanceof Error ? error.message : String(error)}`),
    ),
  );
  try {
    return await scanOnEngine(request, env, { runId, started, logger, engine, background, seen });
  } finally {
    await background.settled();
  }
}

/** The run once the engine has answered: everything it starts in the background is awaited by the caller too. */
async function scanOnEngine(
  request: ScanRequest,
  env: ScanEnvironment,
  { runId, started, logger, engine, background, seen }: { runId: string; started: Date; logger: Logger; engine: EngineReach; background: BackgroundWork; seen: { swarmState?: SwarmState } },
): Promise<ScanReport> {
  const tempParent = env.tempParent ?? tmpdir();
  // Temp dirs of runs that are gone (killed, or their machine went down) go while this one runs.
  background.later(() =>
    sweepRunTempDirs(tempParent).then((removed) => {
      if (removed > 0) logger.info(`Removed ${removed} temp director${removed === 1 ? 'y' : 'ies'} left by pmt runs that are gone`);
    }),
  );
  const { config } = env;
  // Swarm mode: a manager, and an address its nodes reach pmt at, or nothing is made.
  const swarm = await checkSwarm(config, env.swarm, engine.endpoint);
  seen.swarmState = swarm?.preflight.state;
  const { logsDir, resultsDir } = await openRunOutputDirs(config, request, { runId, started, tempParent, logsRoot: env.logsRoot, logger });
  logger.info(`Run ${runId}: ${request.plugins.map((p) => p.name).join(', ')} on ${request.inputDir}; logs in ${logsDir}`);
  for (const plugin of request.plugins) env.progress({ plugin: plugin.name, phase: 'queued', elapsedMs: 0 });

  const delivery = request.upload && config.serverUrl ? await ServerDelivery.start(config.serverUrl, logger, env.signal) : undefined;
  // Everything of the run's own in temp (spilled results, the REST socket, the input shield, probes)
  // lives in one directory that goes with the run, or with a later run's sweep when this one dies.
  const runDir = await RunTempDir.open(tempParent, runId);
  const filestore = await Filestore.create({ memoryBytes: config.filestoreMemoryBytes, tempParent: runDir.path });
  const limits = { maxFileBytes: config.maxResultFileBytes, maxRunBytes: config.maxRunResultBytes };
  const archive = new ArchiveCollector(filestore, limits);
  const onEngineObjects = once(env.onEngineObjects);
  const swarmRun = swarm && openSwarmRun({ ...swarm, runId, filestore, limits, tempDir: runDir.path, rootLogger: env.logger, logger });
  const transport = swarmRun ? NO_LOCAL_TRANSPORT : openRunTransport({
    config,
    engine,
    runtime: env.runtime,
    fileSharing: env.fileSharing,
    inputDir: request.inputDir,
    tempDir: runDir.path,
    labels: { [Labels.run]: runId, [Labels.pid]: String(env.pid), [Labels.host]: env.host },
    filestore,
    archive,
    limits,
    firstImage: request.plugins[0]?.image,
    background,
    rootLogger: env.logger,
    logger,
    onEngineObjects,
  });
  let view: InputView | undefined;
  try {
    // pmt's own output inside the input is neither seen by plugins nor part of the digest.
    view = await openInputView(request.inputDir, [logsDir, resultsDir], runDir.path, logger);
    // The input is read-only to plugins: without a cache its digest is made while they run.
    const describe = () => describeInput(request.inputDir, { exclude: view!.hidden, statDir: env.statDir ?? env.cache?.statDir, signal: env.signal });
    const inputFacts = env.cache ? describe() : background.later(describe);
    const inputDigest = env.cache
      ? await cacheDigest(inputFacts).catch((error: unknown) => {
          // Interrupted while digesting: the agents report the interruption.
          if (env.signal.aborted) return undefined;
          throw error;
        })
      : undefined;

    const context: AgentContext = {
      runtime: env.runtime,
      config,
      identity: { runId, pid: env.pid, host: env.host },
      inputDir: request.inputDir,
      inputMode: async (image) => ((await transport.sharesFiles(image)) ? 'bind' : 'copy'),
      volumes: env.volumes,
      respectGitignore: request.respectGitignore,
      hiddenPaths: view.hidden,
      inputShield: view.shield,
      logDir: logsDir,
      filestore,
      collector: transport.collector,
      archive,
      cache:
        env.cache && inputDigest
          ? new CachedResults(env.cache, inputDigest, CACHE_ENGINE_VERSION, filestore, limits)
          : undefined,
      timeoutOverrideMs: request.timeoutMs,
      resolveAuth: env.resolveAuth,
      logger: env.logger,
      progress: env.progress,
      signal: env.signal,
      now: env.now,
      runStarted: started,
      background,
      onEngineObjects,
      probeAnswers: new ProbeAnswers(),
      startWave: new StartWave(),
      registryFlag: request.registryFlag,
    };
    const runs = request.plugins.map((plugin, id) => ({ id, plugin }));
    const agent = swarmRun?.agent(context) ?? ((run) => runPluginAgent(context, run));
    const outcomes = await mapBounded(runs, request.concurrency, agent);
    // The engine's version is for the report and the provenance record only: asked now, beside the
    // last containers' removal, rather than before or while they start (the engine runs runc and its
    // init to answer it, ~10 ms of its CPU).
    const describing = env.runtime.describe().catch((error: unknown): EngineInfo => {
      logger.warn(`Could not ask the Docker engine for its version: ${error instanceof Error ? error.message : String(error)}; the report says "unknown"`);
      return { ...engine, version: 'unknown', apiVersion: 'unknown' };
    });
    background.release(); // when no container started (all cached, or all failed before)

    const plugins: PluginReport[] = [];
    const saving = { progress: env.progress, now: env.now, logger, started };
    for (const outcome of outcomes) plugins.push(await savePluginResults(filestore, outcome, resultsDir, saving));
    if (resultsDir && plugins.some((p) => p.results.length > 0)) logger.info(`Results saved in ${resultsDir}`);
    const saved = plugins.map((p) => p.outcome);
    const server = env.signal.aborted ? undefined : await delivery?.deliver(filestore, saved, env.signal);

    const finished = env.now();
    const report: ScanReport = {
      runId,
      inputDir: request.inputDir,
      input: await inputFacts,
      engine: await describing,
      cacheEnabled: env.cache !== undefined,
      startedAt: started,
      finishedAt: finished,
      resultsDir,
      logsDir,
      plugins,
      server,
      interruptedBy: env.signal.aborted ? signalOf(env.signal.reason) : undefined,
      durationMs: finished.getTime() - started.getTime(),
      provenance: undefined,
    };
    const dir = resultsDir ?? logsDir;
    return { ...report, provenance: await writeProvenanceRecord(report, { config, signer: env.provenanceSigner, dir, timeoutOverrideMs: request.timeoutMs, logger }) };
  } finally {
    await background.settled();
    await transport.close();
    await filestore.close();
    // A swarm run makes no container itself: the swarm removes its tasks' containers with their
    // services (on every node). Forcing the manager's away here raced the swarm and cost the exit ~40 ms.
    if (swarmRun) await swarmRun.close();
    else await removeRunContainers(env.runtime, runId, logger);
    // After the containers: their mounts use its empty file and directory.
    await view?.dispose().catch(() => undefined);
    await runDir.remove().catch((error: unknown) => logger.warn(`Could not remove the run's temp directory ${runDir.path}: ${String(error)}`));
  }
}

/** Belt and braces: whatever an agent could not remove goes now. */
async function removeRunContainers(runtime: ContainerRuntime, runId: string, logger: Logger): Promise<void> {
  try {
    const left = await runtime.listContainers({ [Labels.run]: runId });
    await Promise.all(left.map((c) => runtime.removeContainer(c.id)));
  } catch (error) {
    logger.error(`Could not check for containers of run ${runId}: ${String(error)}; look for label ${Labels.run}=${runId}`);
  }
}

function once(callback: (() => void) | undefined): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    callback?.();
  };
}

function signalOf(reason: unknown): NodeJS.Signals | undefined {
  return reason === 'SIGINT' || reason === 'SIGTERM' || reason === 'SIGHUP' ? reason : 'SIGINT';
}
