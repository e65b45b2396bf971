import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loggedCommand } from '../../../src/agent/logged-command.js';
import { ContainerLog } from '../../../src/log/container-log.js';
import { stepLabel, writeStepLog } from '../../../src/swarm/step-log-entry.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const plugin = { shell: '/bin/sh', cmd: 'scan /input > /result/out.json', results: ['out.json', 'b.txt'] };

describe('writeStepLog', () => {
  it('writes a step exactly as a local run writes the same command', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pmt-step-log-'));
    const startedAt = new Date(2026, 10, 27, 15, 6, 7, 89);
    const endedAt = new Date(startedAt.getTime() + 1_234);
    const output = { stdout: 'test\ncurl 7.88.1\n', stderr: 'warning', exitCode: 0 };

    const local = await ContainerLog.create(dir, 'local', startedAt);
    const times = [startedAt, endedAt];
    await loggedCommand(stepLabel('check', plugin), async () => output, { logger: pino({ level: 'silent' }), log: local, now: () => times.shift()! });
    const swarm = await ContainerLog.create(dir, 'swarm', startedAt);
    await writeStepLog(swarm, { step: 'check', ...output, startedAt, endedAt }, stepLabel('check', plugin));

    expect(await readFile(swarm.path, 'utf8')).toBe(await readFile(local.path, 'utf8'));
    expect(await readFile(swarm.path, 'utf8')).toContain('exit status 0 after 1.234s: /bin/sh -c echo test; curl -V\n');
  });

  it('says when the task log ended before the step did', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pmt-step-log-'));
    const log = await ContainerLog.create(dir, 'p', new Date());
    const at = new Date();
    await writeStepLog(log, { step: 'cmd', stdout: 'half', stderr: '', exitCode: undefined, startedAt: at, endedAt: at }, stepLabel('cmd', plugin));
    const text = await readFile(log.path, 'utf8');
    expect(text).toContain('stdout of command /bin/sh -c scan /input > /result/out.json\nhalf\n');
    expect(text).toContain('pmt: cut short (timeout, signal, or the task ended) after 0.000s: /bin/sh -c scan /input > /result/out.json\n');
  });

  it('labels the upload as the local REST collector does', () => {
    expect(stepLabel('upload', plugin)).toBe('curl -F result=@/result/<file> … /save for out.json, b.txt');
  });
});
