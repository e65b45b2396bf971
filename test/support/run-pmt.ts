import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/program.js';
import { REPO_ROOT } from './fixtures.js';

export interface PmtRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs pmt in this process with captured output (no signals). */
export async function runPmt(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<PmtRun> {
  const stdout = capture();
  const stderr = capture();
  const io: CliIO = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    onSignal: () => () => undefined,
  };
  const code = await runCli(args, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The built CLI as a user runs it (needs `npm run build`, which `npm test` does first). */
export const PMT_BIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** Starts the built CLI as a child process. */
export function spawnPmt(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess & { result: Promise<PmtRun> } {
  const child = spawn(process.execPath, [PMT_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<PmtRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
  return Object.assign(child, { result });
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}
