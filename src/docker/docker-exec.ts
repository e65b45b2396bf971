import type Dockerode from 'dockerode';
import { ExecAborted, type ExecOptions, type ExecResult } from './container-runtime.js';
import { BoundedText, COMMAND_OUTPUT_LIMIT_BYTES } from './bounded-text.js';
import { chunkSink } from './chunk-sink.js';

/**
 * Runs a command in a running container and returns its separated output and exit code.
 * The raw stream is multiplexed (Tty false); demuxStream never ends its targets, so we wait for the
 * raw stream itself, then ask the engine for the exit code, which may lag the stream's end.
 */
export async function execInContainer(
  container: Dockerode.Container,
  command: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const exec = await container.exec({
    Cmd: [...command],
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: false,
    Tty: false,
    ...(options.user ? { User: options.user } : {}),
    abortSignal: signal,
  });
  const stream = await exec.start({ hijack: true, stdin: false, abortSignal: signal });
  const stdout = new BoundedText(COMMAND_OUTPUT_LIMIT_BYTES);
  const stderr = new BoundedText(COMMAND_OUTPUT_LIMIT_BYTES);
  container.modem.demuxStream(
    stream,
    chunkSink((chunk) => stdout.append(chunk)),
    chunkSink((chunk) => stderr.append(chunk)),
  );

  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      stream.destroy();
      reject(new ExecAborted(signal?.reason, { stdout: stdout.text(), stderr: stderr.text() }));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
  });

  const exitCode = await waitForExitCode(exec, signal);
  return { stdout: stdout.text(), stderr: stderr.text(), exitCode };
}

async function waitForExitCode(exec: Dockerode.Exec, signal: AbortSignal | undefined): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    const info = await exec.inspect({ abortSignal: signal });
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    if (attempt > 200) throw new Error('the engine kept reporting the command as running after its output ended');
    // The stream ended, so the process is gone; the engine needs a moment to record the code.
    await new Promise((resolve) => setTimeout(resolve, Math.min(5 * (attempt + 1), 50)));
  }
}
