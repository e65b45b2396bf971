import { ExecAborted, type ExecResult } from '../docker/container-runtime.js';
import { MainShellGone } from '../docker/main-shell.js';
import type { LoggedExec } from '../transport/result-collector.js';
import { PmtError } from '../errors.js';
import { PluginFailure } from './plugin-failure.js';
import { NOT_A_SHELL_HINT } from './shell-failure.js';
import type { ProbeTurn } from './probe-answers.js';
import { untilAborted } from '../until-aborted.js';

/** The compatibility check's script: `echo test`, then the transport's probe (e.g. `curl -V`). */
export function compatibilityScript(probe: string | undefined): string {
  return probe ? `echo test; ${probe}` : 'echo test';
}

/**
 * The compatibility check, in one command: `echo test` must print `test` (the image has a working
 * shell), then the transport's probe (e.g. `curl -V`) runs and its output is returned for the
 * transport to judge. A plugin image whose shell is wrong or missing fails here, with what came back.
 * `run` is the agent's runner for pmt's own commands (through the container's main shell).
 */
export async function checkContainer(run: LoggedExec, shell: string, probe: string | undefined): Promise<ExecResult> {
  return judgeCompatibility(await runCheck(run, shell, compatibilityScript(probe)), shell, probe);
}

/**
 * The transport's probe (e.g. `curl -V`) in a container whose shell passed its check, answered once
 * per kind of container in a run (see ProbeAnswers): `turn` says whether this container runs the
 * probe and tells its answer, or takes the answer another container gave — and when none came (that
 * probe failed or was cut short), runs it itself. `note` says in the plugin's log whose answer it
 * took. Returns the probe's output for the transport to judge.
 */
export async function probeOnce(
  run: LoggedExec,
  shell: string,
  probe: string,
  { turn, plugin, signal, note }: { turn: ProbeTurn; plugin: string; signal: AbortSignal; note: (message: string) => Promise<void> },
): Promise<ExecResult> {
  if (turn.kind === 'known') {
    const known = await untilAborted(turn.answer, signal);
    if (!known) return runCheck(run, shell, probe);
    await note(`\`${probe}\` not run again: it answered in ${known.plugin}'s container in this run (same image, shell, user, environment and limits)`);
    return known.result;
  }
  try {
    const result = await runCheck(run, shell, probe);
    turn.tell({ result, plugin });
    return result;
  } catch (error) {
    turn.tell(undefined);
    throw error;
  }
}

/** Runs one of the check's scripts; a failure to run it says whose doing it was. */
async function runCheck(run: LoggedExec, shell: string, script: string): Promise<ExecResult> {
  try {
    return await run([shell, '-c', script]);
  } catch (error) {
    if (error instanceof MainShellGone && error.end === 'not a shell') throw new PluginFailure(error.message, NOT_A_SHELL_HINT);
    // Cut short, or not the image's doing (the engine, or someone outside pmt): said as it is.
    if (error instanceof ExecAborted || (error instanceof PmtError && error.origin !== 'plugin')) throw error;
    throw new PluginFailure(`compatibility check \`${script}\` could not run: ${error instanceof Error ? error.message : String(error)}`, checkHint(shell));
  }
}

/**
 * Judges what the check printed (wherever it ran: through the main shell, or as a swarm task's
 * `check` step): the first line must be `test`; returns the rest (the probe's output) for the
 * transport to judge.
 */
export function judgeCompatibility(result: ExecResult, shell: string, probe: string | undefined): ExecResult {
  const [first = '', ...rest] = result.stdout.split('\n');
  if (first !== 'test' || (!probe && result.exitCode !== 0)) {
    const got = (result.stdout.trim() || result.stderr.trim() || '(nothing)').slice(0, 200);
    throw new PluginFailure(`compatibility check \`echo test\` failed: exit code ${result.exitCode}, output ${JSON.stringify(got)}`, checkHint(shell));
  }
  return { ...result, stdout: rest.join('\n') };
}

function checkHint(shell: string): string {
  return `the image needs a POSIX shell (${shell}) and echo`;
}
