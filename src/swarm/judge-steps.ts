import { judgeCompatibility } from '../agent/check-compatibility.js';
import { commandFailure } from '../agent/command-failure.js';
import { PluginFailure, tailLines } from '../agent/plugin-failure.js';
import type { ContainerLimits } from '../docker/container-runtime.js';
import { ExitCode, PmtError } from '../errors.js';
import type { Filestore } from '../store/filestore.js';
import { checkRestProbe, judgeUpload, REST_PROBE } from '../transport/rest-collector.js';
import type { RestEndpoint } from '../transport/rest-endpoint.js';
import type { PluginRun } from '../transport/result-collector.js';
import type { StepReport } from './step-log.js';
import { stepResult } from './step-log-entry.js';
import type { TaskStep } from './step-marker.js';
import type { TaskEnd } from './task-watch.js';
import { taskFailure } from './task-failure.js';

export interface StepJudgement {
  readonly run: PluginRun;
  readonly reports: ReadonlyMap<TaskStep, StepReport>;
  readonly end: TaskEnd;
  readonly endpoint: RestEndpoint;
  readonly filestore: Filestore;
  readonly limits: ContainerLimits;
  readonly logPath: string;
}

/**
 * Judges a finished task step by step, exactly as the local agent judges its commands: the
 * compatibility check (a shell, then curl), the input fill, the plugin's command (its exit code),
 * the upload (every declared result arrived). Returns the command's exit code; throws the first
 * failure. A step the log never showed ending means the task itself ended early: the engine's words
 * (`end`: the task as last seen).
 */
export function judgeSteps(j: StepJudgement): number {
  const { run, reports, end } = j;
  const where = end.node ? ` on node ${end.node}` : '';
  const finished = (step: TaskStep): StepReport & { exitCode: number } => {
    const report = reports.get(step);
    if (report?.exitCode === undefined) throw taskFailure(end.task, end.node, { step, afterSteps: reports.size > 0 });
    return report as StepReport & { exitCode: number };
  };

  const check = finished('check');
  const probe = judgeCompatibility(stepResult(check), run.plugin.shell, REST_PROBE);
  try {
    checkRestProbe(probe);
  } catch (error) {
    // No archive copy out of a task: without curl a swarm task can neither fetch its input nor post.
    throw new PluginFailure(`${(error as Error).message}${where}`, 'swarm mode needs curl (and tar and setpriv) in the plugin image');
  }

  const input = finished('input');
  if (input.exitCode !== 0) {
    const problem = j.endpoint.inputProblem(run.id);
    if (problem) {
      throw new PmtError(`pmt could not send the input to the task${where}: ${problem.message}`, { origin: 'pmt', exitCode: ExitCode.pluginFailed, cause: problem });
    }
    const said = tailLines(input.stderr) || tailLines(input.stdout) || 'it printed nothing';
    throw new PluginFailure(`the task could not fill /input${where} (exit code ${input.exitCode}): ${said}`, `see the plugin's log ${j.logPath}`);
  }

  const cmd = finished('cmd');
  if (cmd.exitCode !== 0) throw commandFailure(stepResult(cmd), j.limits, j.logPath);

  // Every declared result arrived and was checked: what the task does after its last step (exit 0)
  // changes nothing.
  judgeUpload(run, stepResult(finished('upload')), j.endpoint, j.filestore);
  return cmd.exitCode;
}
