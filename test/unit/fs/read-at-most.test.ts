import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAtMost } from '../../../src/fs/read-at-most.js';

describe('readAtMost', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pmt-read-at-most-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a file of up to the limit whole, and nothing for one byte more', async () => {
    await writeFile(join(dir, 'fits'), 'x'.repeat(10));
    await writeFile(join(dir, 'over'), 'x'.repeat(11));
    await writeFile(join(dir, 'empty'), '');
    expect((await readAtMost(join(dir, 'fits'), 10))?.toString()).toBe('x'.repeat(10));
    expect(await readAtMost(join(dir, 'over'), 10)).toBeUndefined();
    expect((await readAtMost(join(dir, 'empty'), 10))?.length).toBe(0);
  });

  it('stops reading an endless pipe one byte after the limit', async () => {
    const fifo = join(dir, 'fifo');
    await new Promise<void>((resolve, reject) => spawn('mkfifo', [fifo]).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo ${code}`)))));
    const writer = spawn('sh', ['-c', `yes > "${fifo}"`], { stdio: 'ignore' });
    try {
      expect(await readAtMost(fifo, 4096)).toBeUndefined();
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('passes on why a file cannot be opened', async () => {
    await expect(readAtMost(join(dir, 'missing'), 10)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
