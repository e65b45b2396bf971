import { ExitCode, PmtError } from '../errors.js';

/** The plugin itself did something wrong: a failed check, a non-zero exit, a missing result. */
export class PluginFailure extends PmtError {
  constructor(message: string, hint?: string) {
    super(message, { origin: 'plugin', exitCode: ExitCode.pluginFailed, hint });
  }
}

/** The last lines of a command's stderr, for a one-line error message. */
export function tailLines(text: string, count = 3): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-count)
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' | ');
}
