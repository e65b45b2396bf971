import { escapeControlsByLine } from './escape-controls.js';

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Keys the text line shows in its prefix or leaves out; the rest are appended as key=value. */
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'msg', 'component', 'plugin', 'pid', 'hostname', 'err']);

/** `[Plugin agent] [licensee] warning: message key=value` from one pino JSON record. */
export function formatLogLine(record: Record<string, unknown>): string {
  const level = LEVEL_NAMES[Number(record.level)] ?? 'info';
  const prefix = [record.component, record.plugin]
    .filter((part): part is string => typeof part === 'string' && part.length > 0)
    .map((part) => `[${part}] `)
    .join('');
  const severity = level === 'info' ? '' : `${level}: `;
  const extras = Object.entries(record)
    .filter(([key]) => !SHOWN_ELSEWHERE.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const err = record.err as { stack?: string } | undefined;
  const stack = err?.stack ? `\n${err.stack}` : '';
  // Messages quote plugins, the engine and scanned file names: shown escaped, never acted on.
  return escapeControlsByLine(`${prefix}${severity}${String(record.msg ?? '')}${extras.length ? ` (${extras.join(', ')})` : ''}`.replaceAll('\n', '\\n')) + escapeControlsByLine(stack);
}
