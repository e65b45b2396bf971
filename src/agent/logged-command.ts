import type { Logger } from 'pino';
import { ExecAborted, type ExecResult } from '../docker/container-runtime.js';
import { MainShellGone } from '../docker/main-shell.js';
import type { ContainerLog } from '../log/container-log.js';

/**
 * Runs one command of a plugin run and writes it to the plugin's log — when it started, what it
 * printed, how it ended and how long it took — whether it succeeded, failed, printed nothing, was
 * cut short by a timeout or signal, or never finished because the container's shell went away.
 */
export async function loggedCommand(
  shown: string,
  run: () => Promise<ExecResult>,
  { logger, log, now }: { readonly logger: Logger; readonly log: ContainerLog | undefined; readonly now: () => Date },
): Promise<ExecResult> {
  logger.info(`Executing command in container: ${shown}`);
  const started = now();
  const elapsed = (): number => now().getTime() - started.getTime();
  await log?.started(shown, started);
  let result: ExecResult;
  try {
    result = await run();
  } catch (error) {
    const partial = error instanceof ExecAborted || error instanceof MainShellGone ? error.partial : { stdout: '', stderr: '' };
    const how =
      error instanceof ExecAborted
        ? 'cut short (timeout or signal)'
        : error instanceof MainShellGone
          ? `did not finish: ${error.reason}`
          : `could not run: ${error instanceof Error ? error.message : String(error)}`;
    await log?.ended(shown, partial, how, elapsed()).catch(() => undefined);
    throw error;
  }
  await log?.ended(shown, result, `exit status ${result.exitCode}`, elapsed());
  return result;
}
