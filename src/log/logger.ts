import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { escapeControlsByLine } from './escape-controls.js';
import { formatLogLine } from './format-log-line.js';
import { maskCredentials } from './mask-credentials.js';

export type { Logger } from 'pino';
export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  readonly level: string;
  readonly format: LogFormat;
  /** Where log lines go; the CLI passes stderr so stdout stays free for results and --json. */
  readonly destination: NodeJS.WritableStream;
}

/**
 * One pino logger per process run; components take children tagged `component` (and `plugin`),
 * which the text format prints as `[Core]` / `[Plugin agent] [licensee]` like the original client.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { base: undefined, level: options.level, timestamp: pino.stdTimeFunctions.isoTime };
  // JSON escapes C0 controls but leaves C1, DEL and format characters raw; escaping them keeps each
  // line valid JSON with the same meaning, and a terminal showing it safe. Passwords in URLs are
  // masked in either format.
  if (options.format === 'json') return pino(base, { write: (line: string) => options.destination.write(maskCredentials(escapeControlsByLine(line))) });
  const text = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) options.destination.write(`${maskCredentials(formatLogLine(JSON.parse(line) as Record<string, unknown>))}\n`);
      }
      done();
    },
  });
  return pino(base, text);
}

/** A logger that drops everything, for library callers and tests that don't care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
