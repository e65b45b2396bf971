import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { escapeControls } from '../log/escape-controls.js';
import { chunkSink } from './chunk-sink.js';

/** A line of MainShell's end-of-command protocol. */
const END_LINE = /pmt-end-[0-9a-f]{32}/;

/** How many of the last log lines are worth showing in a one-line message. */
const TAIL_LINES = 5;

/**
 * A stopped container's exit code and the last lines it printed, from the engine's log (which a
 * log driver that keeps nothing leaves empty).
 */
export async function lastWords(container: Dockerode.Container): Promise<{ exitCode: number; output: string }> {
  const info = await container.inspect();
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false, tail: TAIL_LINES })) as unknown as Buffer;
  // Without a TTY the engine multiplexes both streams into frames; dockerode's demuxer splits them.
  const text: Buffer[] = [];
  const sink = chunkSink((chunk) => text.push(chunk));
  const source = Readable.from([raw]);
  const ended = new Promise((resolve) => source.once('end', resolve));
  container.modem.demuxStream(source, sink, sink);
  await ended;
  // pmt's own end lines (see MainShell) are protocol, not something the container said.
  const lines = Buffer.concat(text).toString('utf8').trim().split('\n').filter((line) => !END_LINE.test(line));
  // Quoted in a one-line message: a terminal must show it, not act on it.
  const output = escapeControls(lines.join(' | ').slice(-500));
  return { exitCode: info.State.ExitCode, output };
}
