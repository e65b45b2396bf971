/** The process edges a command may touch; tests pass their own. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Calls `handler` on SIGINT/SIGTERM until the returned function is called. */
  readonly onSignal: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onSignal(handler) {
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
      signals.forEach((s) => process.on(s, handler));
      return () => signals.forEach((s) => process.off(s, handler));
    },
  };
}
