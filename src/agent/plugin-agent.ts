import type { Logger } from 'pino';
import type { ContainerRuntime, PluginContainer } from '../docker/container-runtime.js';
import { PmtError } from '../errors.js';
import { ContainerLog } from '../log/container-log.js';
import type { Filestore } from '../store/filestore.js';
import type { LoggedExec, PluginRun, ResultCollector } from '../transport/result-collector.js';
import { checkContainerAnswers } from './check-compatibility.js';
import { pluginContainerSpec, type RunIdentity } from './container-spec.js';
import { ensureImage, type AuthResolver } from './ensure-image.js';
import { PluginFailure, tailLines } from './plugin-failure.js';
import type { OutcomeError, PluginOutcome } from './plugin-outcome.js';
import { pickCollector } from './pick-collector.js';

/** Everything one agent works with; the engine builds it once per run. */
export interface AgentContext {
  readonly runtime: ContainerRuntime;
  readonly identity: RunIdentity;
  readonly inputDir: string;
  readonly logDir: string;
  readonly filestore: Filestore;
  /** The run's transport; REST may fall back to archive copy per plugin. */
  readonly collector: ResultCollector;
  readonly archive: ResultCollector;
  readonly restFallback: boolean;
  readonly resolveAuth: AuthResolver;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/**
 * One plugin's life cycle: image → container → checks → cmd → collect → remove. Never throws: every
 * failure becomes the outcome, and the container is removed in every case.
 */
export async function runPluginAgent(context: AgentContext, run: PluginRun): Promise<PluginOutcome> {
  const { plugin } = run;
  const logger = context.logger.child({ component: 'Plugin agent', plugin: plugin.name });
  const started = context.now();
  let container: PluginContainer | undefined;
  let log: ContainerLog | undefined;
  let imageId: string | undefined;
  let exitCode: number | undefined;
  let collector: ResultCollector = context.collector;

  const exec: LoggedExec = async (command, label) => {
    const shown = label ?? command.join(' ');
    logger.info(`Executing command in container: ${shown}`);
    const result = await container!.exec(command, { signal: context.signal });
    await log?.record(shown, result.stdout, result.stderr);
    return result;
  };

  try {
    context.signal.throwIfAborted();
    log = await ContainerLog.create(context.logDir, plugin.name, started);
    imageId = await ensureImage(context.runtime, plugin, context.resolveAuth, logger);
    context.signal.throwIfAborted();
    const setup = context.collector.setup(run);
    container = await context.runtime.startContainer(pluginContainerSpec(run, context.inputDir, context.identity, setup));
    logger.debug({ container: container.id.slice(0, 12) }, 'Container started');

    await checkContainerAnswers(exec, plugin.shell);
    collector = await pickCollector(context, run, exec, logger, log);

    const result = await exec([plugin.shell, '-c', plugin.cmd]);
    exitCode = result.exitCode;
    if (result.exitCode !== 0) {
      const stderr = tailLines(result.stderr);
      throw new PluginFailure(
        `command exited with code ${result.exitCode}${stderr ? `: ${stderr}` : ''}`,
        `see the plugin's log ${log.path}`,
      );
    }
    await collector.collect(run, container, exec, context.signal);
    const results = context.filestore.list(run.id);
    logger.info(`Done: ${results.length} result file(s)`);
    return outcome('succeeded', undefined);
  } catch (error) {
    const interrupted = context.signal.aborted;
    await context.filestore.discard(run.id);
    const described = describe(error, interrupted);
    if (interrupted) logger.warn('Interrupted; removing the container');
    else logger.error(described.hint ? `${described.message} (${described.hint})` : described.message);
    await log?.note(`${interrupted ? 'interrupted' : 'failed'}: ${described.message}`).catch(() => undefined);
    return outcome(interrupted ? 'interrupted' : 'failed', described);
  } finally {
    context.collector.release(run);
    if (collector !== context.collector) collector.release(run);
    if (container) {
      await context.runtime.removeContainer(container.id).catch((error: unknown) => {
        logger.error(`Could not remove container ${container!.id.slice(0, 12)}: ${String(error)}`);
      });
    }
  }

  function outcome(status: PluginOutcome['status'], error: OutcomeError | undefined): PluginOutcome {
    return {
      id: run.id,
      plugin,
      status,
      exitCode,
      durationMs: context.now().getTime() - started.getTime(),
      imageId,
      transport: container ? collector.kind : undefined,
      results: status === 'succeeded' ? context.filestore.list(run.id) : [],
      logPath: log?.path,
      error,
    };
  }
}

function describe(error: unknown, interrupted: boolean): OutcomeError {
  if (interrupted) return { origin: 'user', message: 'interrupted by a signal', hint: undefined };
  if (error instanceof PmtError) return { origin: error.origin, message: error.message, hint: error.hint };
  return { origin: 'pmt', message: error instanceof Error ? error.message : String(error), hint: 'this is a bug in pmt; please report it with --debug output' };
}
