import { escapeControlsByLine } from '../log/escape-controls.js';
import { ConfigError, formatProblem, PmtError, problemsShown, type ErrorOrigin } from '../errors.js';
import { maskCredentials } from '../log/mask-credentials.js';

const ORIGIN_LABELS: Record<ErrorOrigin, string> = {
  pmt: 'pmt',
  config: 'config',
  user: 'usage',
  docker: 'Docker engine',
  plugin: 'plugin',
  server: 'PMT server',
};

export function originLabel(origin: ErrorOrigin): string {
  return ORIGIN_LABELS[origin];
}

/**
 * The lines printed for an error: what happened, where from, what to do; a stack only with --debug.
 * Messages quote files, plugins and the engine: their control characters are shown escaped, and
 * passwords in URLs masked.
 */
export function describeError(error: unknown, debug: boolean): string[] {
  return errorLines(error, debug).map((line) => maskCredentials(escapeControlsByLine(line)));
}

function errorLines(error: unknown, debug: boolean): string[] {
  if (error instanceof ConfigError) {
    const { shown, more } = problemsShown(error.problems);
    const lines = shown.map((p) => `pmt: config error: ${formatProblem(p)}`);
    if (more !== undefined) lines.push(`pmt: config error: ${more}`);
    if (error.hint) lines.push(`pmt: hint: ${error.hint}`);
    return debug && error.stack ? [...lines, error.stack] : lines;
  }
  if (error instanceof PmtError) {
    const line = `pmt: ${originLabel(error.origin)} error: ${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
    return debug && error.stack ? [line, error.stack] : [line];
  }
  const message = error instanceof Error ? error.message : String(error);
  const line = `pmt: internal error: ${message} — this is a bug in pmt; please report it with the output of --debug`;
  return debug && error instanceof Error && error.stack ? [line, error.stack] : [line];
}
