import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { formatLogLine } from './format-log-line.js';

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
  if (options.format === 'json') return pino(base, options.destination as pino.DestinationStream);
  const text = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) options.destination.write(`${formatLogLine(JSON.parse(line) as Record<string, unknown>)}\n`);
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
