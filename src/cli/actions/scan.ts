import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { assertCompatible } from '../../engine/core-compatibility.js';
import { cacheDirOf, statCacheDirOf } from '../../cache/cache-dir.js';
import { ResultCache } from '../../cache/result-cache.js';
import { exitCodeOf } from '../../engine/scan-report.js';
import { ExitCode, signalExitCode, UsageError, type ExitCodeValue } from '../../errors.js';
import { defaultLogsRoot } from '../../log/run-logs-dir.js';
import { CORE_ENGINE_VERSION } from '../../version.js';
import { authResolver } from '../auth-resolver.js';
import type { CliIO } from '../cli-io.js';
import { swarmOverrides } from '../common-options.js';
import { MAX_DEFAULT_CONCURRENCY, type ScanOptions } from '../commands/scan.js';
import { loadInputs, registryFlagOf } from '../load-inputs.js';
import { colorEnabled } from '../progress/color-support.js';
import { createProgress } from '../progress/create-progress.js';
import { describePlan } from '../describe-plan.js';
import { provenanceSigner } from '../provenance-signer.js';
import { reportToJson, reportToText } from '../render-report.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import { jsonDocument } from '../json-document.js';

/** `pmt scan`: loaded when a scan runs (see commands/scan.ts for its options). */
export async function scanAction(options: ScanOptions, io: CliIO, runtime: RuntimeFactory, done: (code: ExitCodeValue) => void): Promise<void> {
  const { registry, config, lookup } = await loadInputs(options, io, { ...swarmOverrides(options), ...(options.server === undefined ? {} : { serverUrl: options.server }) });
  const inputDir = await existingDirectory(resolve(io.cwd, options.input));
  const plugins = registry.select([...(options.plugin ?? []), ...(options.select ?? [])]);
  assertCompatible(plugins, CORE_ENGINE_VERSION, registry.source);
  const docker = await runtime(options);
  // A key that cannot sign stops the scan before any container starts, in a dry run too.
  const signer = await provenanceSigner(config, io.cwd);

  // PMT_NO_CACHE=1 is --no-cache for a whole session, e.g. while writing a plugin.
  const useCache = options.cache && !envFlag(io.env.PMT_NO_CACHE);
  const resultCache = (onProblem?: (message: string) => void) => (useCache ? new ResultCache(cacheDirOf(config, io.env), onProblem ? { onProblem } : {}) : undefined);
  if (options.dryRun) {
    const request = { plugins, inputDir, config, timeoutOverrideMs: options.timeout, pid: process.pid, respectGitignore: options.respectGitignore };
    const server = options.upload && config.serverUrl ? config.serverUrl : undefined;
    // The dirs a run would write to: inside the input they are not part of its digest.
    const outputs = [options.output === undefined ? config.pathDirResults : resolve(io.cwd, options.output), config.pathDirLogs].filter((dir) => dir !== '');
    io.stdout.write(await describePlan(docker, request, { server, cache: resultCache(), json: options.json, signer, outputs }));
    return done(ExitCode.ok);
  }

  // Loaded only when a scan really runs: `pmt -l` and friends stay fast.
  const { runScan } = await import('../../engine/run-scan.js');
  const logFormat = options.logFormat ?? (io.stderr.isTTY ? 'text' : 'json');
  const progress = createProgress({
    stream: io.stderr,
    isTTY: io.stderr.isTTY === true,
    env: io.env,
    mode: options.progress,
    logFormat,
    plugins: plugins.map((p) => p.name),
  });
  // pino loads with the first command that logs: `pmt -l` and the others start without it.
  const { createLogger } = await import('../../log/logger.js');
  const logger = createLogger({ level: options.debug ? 'debug' : options.logLevel, format: logFormat, destination: progress.logSink });
  const cache = resultCache((message) => logger.warn({ component: 'Core' }, message));
  // A first signal stops the run: nothing new starts, and what it made on the engine is removed
  // before pmt exits. Until the run has made anything there, and on any second signal, pmt
  // exits at once: whatever is still waiting (a pull, a file system call) cannot hold it, and
  // containers it leaves end with its connection and go with the next run's sweep.
  // What a signal removes: containers here, or a swarm's services (their tasks stop with pmt's lease).
  const objects = config.engine === 'swarm' ? 'services' : 'containers';
  const controller = new AbortController();
  let engineObjects = false;
  const stopListening = io.onSignal((signal) => {
    const core = logger.child({ component: 'Core' });
    if (!controller.signal.aborted) {
      controller.abort(signal);
      if (engineObjects || !io.exitNow) {
        core.warn(`Received ${signal}; removing the run's ${objects} (a second signal exits at once)`);
        return;
      }
      io.stderr.write(`pmt: Received ${signal} before anything was started on the Docker engine; exiting\n`);
    } else {
      io.stderr.write(`pmt: Received ${signal} again; exiting at once (${objects} of this run end with pmt, and a later run removes them)\n`);
    }
    progress.stop();
    io.exitNow?.(signalExitCode(signal));
  });
  try {
    const report = await runScan(
      {
        plugins,
        inputDir,
        resultsDir: options.output === undefined ? undefined : resolve(io.cwd, options.output),
        concurrency: options.concurrency ?? Math.min(plugins.length, MAX_DEFAULT_CONCURRENCY),
        upload: options.upload,
        timeoutMs: options.timeout,
        respectGitignore: options.respectGitignore,
        registryFlag: registryFlagOf(lookup),
      },
      {
        config,
        runtime: docker,
        resolveAuth: authResolver({ username: config.remoteRepoUser, password: config.remoteRepoPass }, docker, io.env),
        logger,
        progress: progress.listener,
        cache,
        statDir: statCacheDirOf(cacheDirOf(config, io.env)),
        volumes: docker,
        fileSharing: docker,
        swarm: docker.swarm(),
        signal: controller.signal,
        pid: process.pid,
        host: hostname(),
        now: () => new Date(),
        logsRoot: defaultLogsRoot(io.env),
        onEngineObjects: () => {
          engineObjects = true;
        },
        provenanceSigner: signer,
      },
    );
    progress.stop();
    const color = colorEnabled(io.stdout.isTTY === true, io.env);
    io.stdout.write(options.json ? jsonDocument(reportToJson(report)) : reportToText(report, { color }));
    done(exitCodeOf(report));
  } finally {
    progress.stop();
    stopListening();
  }
}

/** An environment switch: set and not `0`/`false`/`no`/`off`. */
function envFlag(value: string | undefined): boolean {
  return value !== undefined && value !== '' && !/^(0|false|no|off)$/i.test(value);
}

async function existingDirectory(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`input directory ${path} does not exist`, 'pass the directory to scan with -i DIR');
  if (!info.isDirectory()) throw new UsageError(`input ${path} is not a directory`, 'pass the directory to scan with -i DIR');
  return path;
}
