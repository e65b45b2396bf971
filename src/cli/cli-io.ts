/** The process edges a command may touch; tests pass their own. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Calls `handler` on SIGINT, SIGTERM and SIGHUP until the returned function is called. */
  readonly onSignal: (handler: (signal: NodeJS.Signals) => void) => () => void;
  /**
   * Ends the process now with `code`, for a signal that must not wait for the run (see scan's
   * handler). Only the entry point passes one; without it the run ends as it can.
   */
  readonly exitNow?: (code: number) => void;
}

export function processIO(exitNow?: (code: number) => void): CliIO {
  return {
    exitNow,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onSignal(handler) {
      // SIGHUP: the terminal closed or the ssh session dropped; the run ends as for SIGTERM.
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      signals.forEach((s) => process.on(s, handler));
      return () => signals.forEach((s) => process.off(s, handler));
    },
  };
}
