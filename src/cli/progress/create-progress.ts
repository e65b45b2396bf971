import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import type { ProgressListener } from '../../engine/progress-event.js';
import type { LogFormat } from '../../log/logger.js';
import { colorEnabled } from './color-support.js';
import { LiveProgress, type TerminalStream } from './live-progress.js';
import { plainProgress } from './plain-progress.js';
import { resolveProgressMode, type ProgressMode, type ResolvedProgressMode } from './progress-mode.js';
import { ProgressView } from './progress-view.js';

export interface ProgressOptions {
  /** Where progress and logs go: stderr. */
  readonly stream: TerminalStream;
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly mode: ProgressMode;
  /** The logger's format; `auto` shows no progress next to JSON logs off a terminal. */
  readonly logFormat: LogFormat;
  /** Monotonic milliseconds; performance.now by default. */
  readonly now?: () => number;
  /** The run's plugins, shown as queued from the start. */
  readonly plugins?: readonly string[];
  readonly tickMs?: number;
}

export interface Progress {
  readonly mode: ResolvedProgressMode;
  /** Pass as the engine's onProgress. */
  readonly listener: ProgressListener;
  /** Pass as the logger's destination: in tty mode, log lines are printed above the live region. */
  readonly logSink: NodeJS.WritableStream;
  /** Ends live drawing (final state stays on screen); call before writing the summary. Idempotent. */
  stop(): void;
}

export function createProgress(options: ProgressOptions): Progress {
  const { stream, isTTY, env } = options;
  const mode = resolveProgressMode(options.mode, { isTTY, env, logFormat: options.logFormat });
  const color = colorEnabled(isTTY, env);
  if (mode === 'none') return { mode, listener: () => {}, logSink: stream, stop: () => {} };
  if (mode === 'plain') return { mode, listener: plainProgress(stream, color), logSink: stream, stop: () => {} };

  const view = new ProgressView({ color, now: options.now ?? (() => performance.now()), plugins: options.plugins ?? [] });
  const live = new LiveProgress({ stream, view, tickMs: options.tickMs });
  return {
    mode,
    listener: (event) => live.update(event),
    logSink: textSink((text) => live.write(text)),
    stop: () => live.stop(),
  };
}

/** A synchronous Writable handing decoded text to `write`, so pino can log through the live region. */
function textSink(write: (text: string) => void): NodeJS.WritableStream {
  const decoder = new StringDecoder('utf8');
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      write(typeof chunk === 'string' ? chunk : decoder.write(chunk));
      done();
    },
  });
}
