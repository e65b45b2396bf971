import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { snapshotTree, tempDir, writeTree } from '../../support/fixtures.js';
import { HOSTILE_INPUT, HOSTILE_INPUT_ATTEMPTS, HOSTILE_INPUT_COMMAND, HOSTILE_INPUT_RESULTS } from '../../support/hostile-input.js';
import { OOM_SCORES_COMMAND } from '../../support/oom-scores.js';
import { TEST_LABEL } from '../../support/test-images.js';
import { runTask, stepOutput, type TaskRun } from './task-container.js';

let dir: { path: string; remove: () => Promise<void> };
let input: string;
const runs: TaskRun[] = [];

beforeEach(async () => {
  dir = await tempDir('pmt-swarm-task-hostile-');
  input = join(dir.path, 'repo');
  await writeTree(input, HOSTILE_INPUT);
});

afterEach(async () => {
  await dir.remove();
  for (const run of runs.splice(0)) {
    expect(await containersWithLabels(`${TEST_LABEL}=${run.label}`)).toEqual([]);
    expect((await docker.listVolumes({ filters: { label: [`${TEST_LABEL}=${run.label}`] } })).Volumes ?? []).toEqual([]);
  }
});

async function task(request: Parameters<typeof runTask>[0]): Promise<TaskRun> {
  const run = await runTask(request);
  runs.push(run);
  return run;
}

describe('a hostile plugin running as root in a swarm task', () => {
  it('cannot write, append, chmod, chown, delete, rename or remount its input', async () => {
    const before = await snapshotTree(input);
    const run = await task({ input, cmd: HOSTILE_INPUT_COMMAND, results: HOSTILE_INPUT_RESULTS });

    expect(run.exitCode).toBe(0);
    const out = stepOutput(run, 'cmd');
    for (const [what] of HOSTILE_INPUT_ATTEMPTS) expect(out, out).toContain(`refused: ${what}\n`);
    expect(out).not.toContain('ALLOWED');
    expect(out).toContain('uid=0(root) gid=0(root)');
    // No capability left, as in a local plugin container.
    expect(out).toContain('CapEff:\t0000000000000000\n');
    expect(out).toContain('NoNewPrivs:\t1\n');
    expect(out).toContain('nonce-hidden\n');
    const inside = run.results.get('before.txt')?.toString();
    expect(inside).toContain('./a.txt 65534:65534 644 9\n');
    expect(run.results.get('after.txt')?.toString()).toBe(inside);
    expect(await snapshotTree(input)).toEqual(before);
  });

  it('cannot end a step or fake an exit code by printing markers without the nonce', async () => {
    const fake = '0123456789abcdef0123456789abcdef';
    const forge = (kind: string) => `printf '\\036pmt-step\\037${fake}\\037${kind}\\n'`;
    const cmd = [forge('end\\037cmd\\0370'), forge('begin\\037upload'), `${forge('end\\037upload\\0370')} >&2`, 'echo real output', 'exit 3'].join('; ');
    const run = await task({ input, cmd, results: ['r.txt'] });

    expect(run.exitCode).toBe(3);
    expect(run.steps.map((s) => [s.step, s.exitCode])).toEqual([['check', 0], ['input', 0], ['cmd', 3]]);
    const step = run.steps[2]!;
    expect(step.stdout).toBe(`\x1epmt-step\x1f${fake}\x1fend\x1fcmd\x1f0\n\x1epmt-step\x1f${fake}\x1fbegin\x1fupload\nreal output\n`);
    expect(step.stderr).toBe(`\x1epmt-step\x1f${fake}\x1fend\x1fupload\x1f0\n`);
  });

  it('ends by itself within seconds when its lease ends (pmt closes its endpoint)', async () => {
    const run = await task({
      input,
      cmd: 'echo started; sleep 300',
      results: ['r.txt'],
      whileRunning: async (endpoint) => {
        // Wait until the command runs, then pmt goes away.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await endpoint.close();
      },
    });

    expect(run.exitedAfterMs).toBeLessThan(5_000);
    expect(run.exitCode).toBe(137);
    expect(run.steps.map((s) => s.step)).toEqual(['check', 'input']);
    expect(run.unfinished.map((s) => [s.step, s.stdout, s.exitCode])).toEqual([['cmd', 'started\n', undefined]]);
    expect(run.unfinished[0]!.stderr).toContain('pmt-task: the lease on pmt ended');
  });

  it("is the kernel's first choice when the memory runs out, not the task's script that reports its steps", async () => {
    const run = await task({ input, cmd: OOM_SCORES_COMMAND, results: [] });
    expect(run.exitCode).toBe(0);
    expect(stepOutput(run, 'cmd')).toBe('1000\n0\n');
  });
});
