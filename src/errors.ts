/**
 * Errors that reach the user. Each carries where it came from, the exit code it maps to and a hint
 * saying what to do next. Only the CLI entry point turns them into output and an exit code.
 */

/** Where a problem came from, as the user needs to know it. */
export type ErrorOrigin = 'pmt' | 'config' | 'user' | 'docker' | 'plugin' | 'server';

/** Process exit codes; the README's table lists the same. */
export const ExitCode = {
  ok: 0,
  pluginFailed: 1,
  usage: 2,
  engineUnreachable: 3,
  uploadFailed: 4,
  internal: 70,
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface PmtErrorOptions {
  origin: ErrorOrigin;
  exitCode?: ExitCodeValue;
  hint?: string;
  cause?: unknown;
}

export class PmtError extends Error {
  readonly origin: ErrorOrigin;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(message: string, options: PmtErrorOptions) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.origin = options.origin;
    this.exitCode = options.exitCode ?? ExitCode.internal;
    this.hint = options.hint;
  }
}

/** One problem found in an input file, with its position when known. */
export interface Problem {
  file: string;
  line?: number;
  col?: number;
  message: string;
}

export function formatProblem(problem: Problem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.col ?? 1}`;
  return `${where}: ${problem.message}`;
}

/** Problems printed for one error: enough to fix a file's first mistakes; the rest are only counted. */
export const MAX_PROBLEMS_SHOWN = 50;

/** The problems worth printing, and a line counting the others when there are more. */
export function problemsShown(problems: readonly Problem[]): { shown: readonly Problem[]; more: string | undefined } {
  const hidden = problems.length - MAX_PROBLEMS_SHOWN;
  if (hidden <= 0) return { shown: problems, more: undefined };
  return { shown: problems.slice(0, MAX_PROBLEMS_SHOWN), more: `… and ${hidden} more problem${hidden === 1 ? '' : 's'} not shown; fix these first` };
}

/** A registry or config file (or flag) is wrong; lists every problem found at once (the first 50 printed). Exit 2. */
export class ConfigError extends PmtError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], hint?: string) {
    const { shown, more } = problemsShown(problems);
    super([...shown.map(formatProblem), ...(more === undefined ? [] : [more])].join('\n'), { origin: 'config', exitCode: ExitCode.usage, hint });
    this.problems = problems;
  }
}

/** The command line asked for something impossible (unknown plugin, missing input dir). Exit 2. */
export class UsageError extends PmtError {
  constructor(message: string, hint?: string) {
    super(message, { origin: 'user', exitCode: ExitCode.usage, hint });
  }
}

/** No Docker engine answered. Exit 3. */
export class EngineUnreachableError extends PmtError {
  /** `hint` replaces the default one when the cause is known (e.g. ssh refused the host key). */
  constructor(message: string, cause?: unknown, hint?: string) {
    super(message, {
      origin: 'docker',
      exitCode: ExitCode.engineUnreachable,
      hint: hint ?? 'start a Docker engine (e.g. `bash scripts/setup-engine.sh`, or `sudo systemctl start docker`) or set DOCKER_HOST to a running one',
      cause,
    });
  }
}

/** The exit code of a run ended by a signal: 128 + its number, as shells report it. */
export function signalExitCode(signal: NodeJS.Signals): ExitCodeValue {
  return signal === 'SIGHUP' ? ExitCode.sighup : signal === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint;
}
