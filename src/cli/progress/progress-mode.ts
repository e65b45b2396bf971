import { Option } from 'commander';
import type { LogFormat } from '../../log/logger.js';

/** `--progress`: how a run's progress is shown on stderr. */
export type ProgressMode = 'auto' | 'tty' | 'plain' | 'none';
export type ResolvedProgressMode = Exclude<ProgressMode, 'auto'>;

export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'tty', 'plain', 'none'];

export interface ProgressContext {
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly logFormat: LogFormat;
}

/**
 * `auto`: live lines on a terminal that can move its cursor (whatever goes to stdout, --json
 * included: progress is on stderr); elsewhere plain lines next to text logs, and nothing next to
 * JSON logs, whose readers expect one JSON record per line. An explicit mode is always obeyed.
 */
export function resolveProgressMode(mode: ProgressMode, context: ProgressContext): ResolvedProgressMode {
  if (mode !== 'auto') return mode;
  if (context.isTTY && context.env.TERM !== 'dumb') return 'tty';
  return context.logFormat === 'text' ? 'plain' : 'none';
}

/** The `--progress` option for commands that run plugins. */
export function progressOption(): Option {
  return new Option('--progress <mode>', 'progress on stderr: live lines on a terminal, plain lines next to text logs, none next to JSON logs')
    .choices([...PROGRESS_MODES])
    .default('auto');
}
