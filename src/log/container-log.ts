import { constants } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';

/**
 * Appends never follow a link: the file was created by pmt (`wx`), and a link swapped in for it
 * afterwards (the logs directory may be in a repository, or shared) must not redirect pmt's writes.
 */
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW;
import { join } from 'node:path';

/**
 * The per-plugin-run log of every command executed in its container, in the original client's
 * layout: `stdout of command <cmd>` / `stderr of command <cmd>` then the text; empty outputs left out.
 * Appended command by command so that a run cut short still leaves what it did.
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

  async record(command: string, stdout: string, stderr: string): Promise<void> {
    let text = '';
    if (stdout) text += `stdout of command ${command}\n${withNewline(stdout)}`;
    if (stderr) text += `stderr of command ${command}\n${withNewline(stderr)}`;
    if (text) await appendFile(this.path, text, { flag: APPEND });
  }

  async note(message: string): Promise<void> {
    await appendFile(this.path, `pmt: ${message}\n`, { flag: APPEND });
  }
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** YYYY-MM-DD_HH-MM-SS in local time, as the original client named its logs. */
export function timestamp(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_` +
    `${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`
  );
}
