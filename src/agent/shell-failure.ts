import { MainShellGone } from '../docker/main-shell.js';
import { PluginFailure } from './plugin-failure.js';
import { signalName } from '../fs/signal-name.js';

/** What to do about a `shell` that is not a POSIX shell. */
export const NOT_A_SHELL_HINT = 'set `shell` to a POSIX shell in the image (e.g. /bin/sh) and start the scanner from `cmd`';


/**
 * The plugin's own command ended the container's main shell: the shell had been answering, then
 * died while only that command ran, from a signal the command sent (`kill 0` signals the whole
 * process group, and without job control pmt's shell is in it). Undefined when `error` is not
 * that. A container ended from outside (`docker kill`, `docker stop`, `docker rm -f`) or by its
 * memory limit never gets here: the engine's record of it is asked first (docker/container-end.ts).
 */
export function commandEndedShell(error: unknown, logPath: string): PluginFailure | undefined {
  if (!(error instanceof MainShellGone) || error.end !== 'ended' || !error.answered || error.details.fromOutside) return undefined;
  const code = error.details.exitCode;
  if (code === undefined) return undefined;
  const signal = code > 128 ? signalName(code - 128) : undefined;
  const cause = signal ? `: it got ${signal}, e.g. from \`kill 0\`, which signals the command's whole process group, pmt's shell included` : '';
  return new PluginFailure(
    `the plugin's command ended the container's shell (exit code ${code}${cause})${error.said ? `; it said: ${error.said}` : ''}`,
    `signal only the processes your command started (\`kill "$pid"\`), not its process group (\`kill 0\`) or its parent shell; see the plugin's log ${logPath}`,
  );
}
