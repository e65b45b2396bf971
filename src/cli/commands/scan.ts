import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { ContainerRuntime } from '../../docker/container-runtime.js';
import { resolveRegistryAuth } from '../../docker/registry-auth.js';
import { assertCompatible } from '../../engine/core-compatibility.js';
import { processIsAlive } from '../../engine/reap-stale-containers.js';
import { runScan } from '../../engine/run-scan.js';
import { exitCodeOf } from '../../engine/scan-report.js';
import { UsageError, type ExitCodeValue } from '../../errors.js';
import { createLogger } from '../../log/logger.js';
import { CORE_ENGINE_VERSION } from '../../version.js';
import type { CliIO } from '../cli-io.js';
import { withCommonOptions, type CommonOptions } from '../common-options.js';
import { loadInputs } from '../load-inputs.js';
import { reportToJson, reportToText } from '../render-report.js';

interface ScanOptions extends CommonOptions {
  input: string;
  plugin: string[];
  output?: string;
  concurrency?: number;
  json: boolean;
  server?: string;
  upload: boolean;
}

const MAX_DEFAULT_CONCURRENCY = 8;

export function scanCommand(io: CliIO, runtime: () => ContainerRuntime & { defaultRegistry(): Promise<string> }, done: (code: ExitCodeValue) => void): Command {
  return withCommonOptions(new Command('scan'))
    .description('run plugins on a directory, each in its own container, and collect their results')
    .option('-i, --input <dir>', 'directory to scan (mounted read-only at /input)', '.')
    .option('-p, --plugin <names>', 'plugin(s) to run: NAME, NAME,NAME or "all" (repeatable; default: the registry\'s default plugin)', collectNames, [])
    .option('-s, --select <names>', 'alias of -p, as in the original PMT client', collectNames)
    .option('-o, --output <dir>', 'where result files are saved (overrides PathDirResults)')
    .option('--concurrency <n>', `plugins run at once (default: number of plugins, at most ${MAX_DEFAULT_CONCURRENCY})`, positiveInteger)
    .option('--server <url>', 'PMT server base URL to upload results to (overrides ServerUrl and PMT_SERVER_URL)')
    .option('--no-upload', 'keep results local even when a PMT server is configured')
    .option('--json', 'print one JSON document with the outcome of every plugin on stdout', false)
    .action(async (options: ScanOptions & { select?: string[] }) => {
      const { registry, config } = await loadInputs(options, io, options.server === undefined ? {} : { serverUrl: options.server });
      const inputDir = await existingDirectory(resolve(io.cwd, options.input));
      const names = [...options.plugin, ...(options.select ?? [])];
      const plugins = registry.select(names);
      assertCompatible(plugins, CORE_ENGINE_VERSION, registry.source);

      const logger = createLogger({
        level: options.debug ? 'debug' : options.logLevel,
        format: options.logFormat ?? (io.stderr.isTTY ? 'text' : 'json'),
        destination: io.stderr,
      });
      const docker = runtime();
      const controller = new AbortController();
      const stopListening = io.onSignal((signal) => {
        if (controller.signal.aborted) return;
        logger.child({ component: 'Core' }).warn(`Received ${signal}; removing the run's containers`);
        controller.abort(signal);
      });
      try {
        const report = await runScan(
          {
            plugins,
            inputDir,
            resultsDir: options.output === undefined ? undefined : resolve(io.cwd, options.output),
            concurrency: options.concurrency ?? Math.min(plugins.length, MAX_DEFAULT_CONCURRENCY),
            upload: options.upload,
          },
          {
            config,
            runtime: docker,
            resolveAuth: async (reference) =>
              resolveRegistryAuth(reference, {
                username: config.remoteRepoUser,
                password: config.remoteRepoPass,
                defaultRegistry: await docker.defaultRegistry(),
                env: io.env,
              }),
            logger,
            signal: controller.signal,
            pid: process.pid,
            host: hostname(),
            isAlive: processIsAlive,
            now: () => new Date(),
          },
        );
        io.stdout.write(options.json ? `${JSON.stringify(reportToJson(report), null, 2)}\n` : reportToText(report));
        done(exitCodeOf(report));
      } finally {
        stopListening();
      }
    });
}

function collectNames(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('expected one or more plugin names');
  return [...previous, ...names];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

async function existingDirectory(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`input directory ${path} does not exist`, 'pass the directory to scan with -i DIR');
  if (!info.isDirectory()) throw new UsageError(`input ${path} is not a directory`, 'pass the directory to scan with -i DIR');
  return path;
}
