import { mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerLog } from '../../../src/log/container-log.js';

describe('ContainerLog never writes through a planted link (issue 10 item 2)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pmt-container-log-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('takes the next name when a link is planted at the first one', async () => {
    const victim = join(dir, 'victim');
    await writeFile(victim, 'keep\n');
    const started = new Date(2026, 10, 27, 13, 0, 0);
    await symlink(victim, join(dir, 'pmt_container_output_p_2026-11-27_13-00-00.log'));
    const log = await ContainerLog.create(dir, 'p', started);
    expect(log.path).toBe(join(dir, 'pmt_container_output_p_2026-11-27_13-00-00_2.log'));
    await log.note('hello');
    expect(await readFile(victim, 'utf8')).toBe('keep\n');
  });

  it('refuses to append once its file is swapped for a link', async () => {
    const victim = join(dir, 'victim');
    await writeFile(victim, 'keep\n');
    const log = await ContainerLog.create(dir, 'p', new Date());
    await log.note('first');
    await unlink(log.path);
    await symlink(victim, log.path);
    await expect(log.note('second')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await readFile(victim, 'utf8')).toBe('keep\n');
  });
});
