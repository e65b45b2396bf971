import { appendFileSync, closeSync, constants, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

/**
 * Appends never follow a link: the file was created by pmt (`wx`), and a link swapped in for it
 * afterwards (the logs directory may be in a repository, or shared) must not redirect pmt's writes.
 */
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW;
import { join } from 'node:path';

/**
 * The per-plugin-run log of every command executed in its container. Each command gets a line when
 * it starts (local time) and one when it ends (exit status or how it ended, and how long it took),
 * whatever it printed; between them its output in the original client's layout:
 * `stdout of command <cmd>` / `stderr of command <cmd>` then the text (empty outputs left out).
 * Appended as it happens, so that a run cut short still shows how far it got.
 */
export class ContainerLog {
  private constructor(readonly path: string) {}

  static async create(dir: string, plugin: string, startedAt: Date): Promise<ContainerLog> {
    const stem = join(dir, `pmt_container_output_${safeName(plugin)}_${timestamp(startedAt)}`);
    // Two runs of one plugin in the same second must not write into one file.
    for (let n = 1; ; n++) {
      const path = n === 1 ? `${stem}.log` : `${stem}_${n}.log`;
      try {
        await writeFile(path, '', { flag: 'wx' });
        return new ContainerLog(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw error;
      }
    }
  }

  /** `pmt: <time> started: <command>`, written before the command runs. */
  async started(command: string, at: Date): Promise<void> {
    this.append(`pmt: ${clockTime(at)} started: ${command}\n`);
  }

  /** The command's output, then `pmt: <how it ended> after <duration>: <command>`. */
  async ended(command: string, output: { readonly stdout: string; readonly stderr: string }, how: string, durationMs: number): Promise<void> {
    let text = '';
    if (output.stdout) text += `stdout of command ${command}\n${withNewline(output.stdout)}`;
    if (output.stderr) text += `stderr of command ${command}\n${withNewline(output.stderr)}`;
    text += `pmt: ${how} after ${formatElapsed(durationMs)}: ${command}\n`;
    this.append(text);
  }

  async note(message: string): Promise<void> {
    this.append(`pmt: ${message}\n`);
  }

  /**
   * One small append, synchronously: fs/promises' appendFile makes three thread-pool round trips
   * (open, write, close) per line, and with many plugins at once the hand-offs cost pmt ~8 % of its
   * CPU (100 plugins: 1.93–2.13 s against 1.77–1.90 s, alternated runs). A run's log lines are a few
   * hundred bytes each, on the local disk of the logs directory.
   */
  private append(text: string): void {
    const fd = openSync(this.path, APPEND);
    try {
      appendFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
  }
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** `2026-11-23 16:20:26.512` in local time, as the log's file name has it. */
function clockTime(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${timestamp(date).replace('_', ' ').replace(/-(\d\d)-(\d\d)$/, ':$1:$2')}.${pad(date.getMilliseconds(), 3)}`;
}

/** `0.012s`, `1.250s`, `95.0s`: exact enough to tell a quick command from a hanging one. */
function formatElapsed(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(3)}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** YYYY-MM-DD_HH-MM-SS in local time, as the original client named its logs. */
export function timestamp(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_` +
    `${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`
  );
}
