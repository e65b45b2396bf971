import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/program.js';
import { REPO_ROOT } from './fixtures.js';

export interface PmtRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Each run gets a result cache of its own unless the test passes XDG_CACHE_HOME: a result cached by
 * one test must never answer for another. Likewise an empty user config dir unless the test passes
 * XDG_CONFIG_HOME: a registry or config in the developer's ~/.config/pmt must not change a test.
 */
let testStateHome: string | undefined;
/** Where that goes: the temp dir as the test process started (some tests point TMPDIR elsewhere for a while). */
const testTempRoot = tmpdir();

function isolatedCache(env: NodeJS.ProcessEnv | undefined): { env: NodeJS.ProcessEnv; remove: () => void } {
  const made: string[] = [];
  const fresh = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
  const merged = { ...process.env, ...env };
  if (!env?.XDG_CACHE_HOME) merged.XDG_CACHE_HOME = fresh('pmt-test-cache-');
  if (!env?.XDG_CONFIG_HOME) merged.XDG_CONFIG_HOME = fresh('pmt-test-config-');
  // Logs of runs without PathDirLogs: out of the developer's ~/.local/state, and kept after the run
  // (tests read them); pmt itself keeps that directory bounded.
  if (!env?.XDG_STATE_HOME) {
    if (testStateHome === undefined) {
      const made = mkdtempSync(join(testTempRoot, 'pmt-test-state-'));
      process.once('exit', () => rmSync(made, { recursive: true, force: true }));
      testStateHome = made;
    }
    merged.XDG_STATE_HOME = testStateHome;
  }
  return { env: merged, remove: () => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })) };
}

/** Runs pmt in this process with captured output (no signals); `terminal`: its stdout says it is a terminal. */
export async function runPmt(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; terminal?: boolean }): Promise<PmtRun> {
  const stdout = capture(options.terminal);
  const stderr = capture();
  const cache = isolatedCache(options.env);
  const io: CliIO = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: cache.env,
    cwd: options.cwd,
    onSignal: () => () => undefined,
  };
  try {
    const code = await runCli(args, io);
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    cache.remove();
  }
}

/** The built CLI as a user runs it (needs `npm run build`, which `npm test` does first). */
export const PMT_BIN = join(REPO_ROOT, 'dist', 'pmt.cjs');

/** Starts the built CLI as a child process. */
export function spawnPmt(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; wrapper?: readonly string[] },
): ChildProcess & { result: Promise<PmtRun>; stderrText: () => string } {
  const cache = isolatedCache(options.env);
  const [command, ...wrapperArgs] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(command!, [...wrapperArgs, PMT_BIN, ...args], {
    cwd: options.cwd,
    env: cache.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<PmtRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      cache.remove();
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
  return Object.assign(child, { result, stderrText: () => stderr });
}

function capture(terminal = false): { stream: PassThrough; text: () => string } {
  const stream = terminal ? Object.assign(new PassThrough(), { isTTY: true }) : new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * pmt under `unshare --pid --fork --mount-proc`: the same file systems and engine, another PID
 * namespace (as a CI job in a container with the engine's socket mounted), where no process of
 * this one exists.
 */
export function runPmtInOtherPidNamespace(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<PmtRun> {
  return spawnPmt(args, { ...options, wrapper: ['unshare', '--pid', '--fork', '--mount-proc'] }).result;
}
