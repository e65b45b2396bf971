import { compatibilityScript } from '../agent/check-compatibility.js';
import { INPUT_DIR } from '../agent/container-spec.js';
import type { ExecResult } from '../docker/container-runtime.js';
import type { ContainerLog } from '../log/container-log.js';
import { uploadLabel } from '../transport/post-results-script.js';
import { REST_PROBE } from '../transport/rest-collector.js';
import type { StepReport } from './step-log.js';
import type { TaskStep } from './step-marker.js';

/**
 * How a step shows in the plugin's log and pmt's own: the same words as the local run's command
 * (`/bin/sh -c echo test; curl -V`, `/bin/sh -c <cmd>`, `curl -F result=@/result/<file> … /save for …`).
 */
export function stepLabel(step: TaskStep, plugin: { readonly shell: string; readonly cmd: string; readonly results: readonly string[] }): string {
  switch (step) {
    case 'check':
      return [plugin.shell, '-c', compatibilityScript(REST_PROBE)].join(' ');
    case 'input':
      return `curl … /input | tar -x -C ${INPUT_DIR} (as root, in the task)`;
    case 'cmd':
      return [plugin.shell, '-c', plugin.cmd].join(' ');
    case 'upload':
      return uploadLabel(plugin.results);
  }
}

/**
 * Writes one step into the plugin's log as a local run writes a command (loggedCommand): a started
 * line, its stdout and stderr, how it ended and how long it took — `cut short` when the task's
 * log ended before the step's end marker.
 */
export async function writeStepLog(log: ContainerLog, report: StepReport, label: string): Promise<void> {
  await log.started(label, report.startedAt);
  const how = report.exitCode === undefined ? 'cut short (timeout, signal, or the task ended)' : `exit status ${report.exitCode}`;
  await log.ended(label, report, how, report.endedAt.getTime() - report.startedAt.getTime());
}

/** A finished step as a command's result, for the local agent's checks (compatibility, exit code, upload report). */
export function stepResult(report: StepReport & { readonly exitCode: number }): ExecResult {
  return { stdout: report.stdout, stderr: report.stderr, exitCode: report.exitCode };
}
