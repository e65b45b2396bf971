import type { ContainerLimits, ExecResult } from '../docker/container-runtime.js';
import { formatBytes } from '../store/format-bytes.js';
import { PluginFailure, tailLines } from './plugin-failure.js';

/** SIGKILL's exit status: what the kernel's OOM killer leaves behind in a memory-limited container. */
const KILLED = 137;

/** The failure of a plugin command that exited non-zero, with the last lines of its stderr. */
export function commandFailure(result: ExecResult, limits: ContainerLimits, logPath: string): PluginFailure {
  const stderr = tailLines(result.stderr);
  if (result.exitCode === KILLED) {
    return new PluginFailure(
      `command was killed (exit code 137), most likely for exceeding its memory limit of ${formatBytes(limits.memoryBytes)}${stderr ? `: ${stderr}` : ''}`,
      `raise resources.memory in the plugin's registry entry or DefaultMemory in the config; see ${logPath}`,
    );
  }
  return new PluginFailure(`command exited with code ${result.exitCode}${stderr ? `: ${stderr}` : ''}`, `see the plugin's log ${logPath}`);
}
