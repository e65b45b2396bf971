import { describe, expect, it } from 'vitest';
import { StepLogParser, type LogStream, type StepReport } from '../../../src/swarm/step-log.js';
import { MAX_MARKER_LENGTH, newStepNonce, stepMarker, type TaskStep } from '../../../src/swarm/step-marker.js';

const nonce = newStepNonce();

interface Step {
  readonly step: TaskStep;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode?: number;
}

/** Both streams as the task script prints them: each marker after a line break of its own. */
function taskLog(steps: readonly Step[], markerNonce = nonce): Record<LogStream, string> {
  const log = { stdout: '', stderr: '' };
  for (const s of steps) {
    for (const stream of ['stdout', 'stderr'] as const) {
      log[stream] += `\n${stepMarker(markerNonce, { kind: 'begin', step: s.step })}\n${s[stream]}`;
      if (s.exitCode !== undefined) log[stream] += `\n${stepMarker(markerNonce, { kind: 'end', step: s.step, exitCode: s.exitCode })}\n`;
    }
  }
  return log;
}

/** Feeds both streams in pieces of `size` characters, alternating; returns every step reported. */
function parse(log: Record<LogStream, string>, size: number, parser = new StepLogParser(nonce)) {
  const finished: StepReport[] = [];
  for (let at = 0; at < Math.max(log.stdout.length, log.stderr.length); at += size) {
    for (const stream of ['stderr', 'stdout'] as const) {
      const text = log[stream].slice(at, at + size);
      if (text) finished.push(...parser.push({ stream, text }));
    }
  }
  return { finished, ...parser.end() };
}

const shape = (r: StepReport) => ({ step: r.step, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode });

const STEPS: Step[] = [
  { step: 'check', stdout: 'test\ncurl 7.88.1 (x86_64)\n', stderr: '', exitCode: 0 },
  { step: 'input', stdout: '', stderr: '', exitCode: 0 },
  { step: 'cmd', stdout: 'no newline at the end', stderr: '\n\ntwo breaks first, and two after\n\n', exitCode: 0 },
  { step: 'upload', stdout: '{"stored":{}}\n', stderr: 'curl: (22) oops', exitCode: 22 },
];

describe('StepLogParser', () => {
  it('gives back each step output byte for byte with its exit code, however the log is cut into chunks', () => {
    for (const size of [1, 2, 3, 7, 50, 100_000]) {
      const { finished, unfinished, outside } = parse(taskLog(STEPS), size);
      expect(finished.map(shape)).toEqual(STEPS);
      expect(unfinished).toEqual([]);
      expect(outside).toEqual({ stdout: '', stderr: '' });
    }
  });

  it('keeps UTF-8 output and control characters that are not markers', () => {
    const steps: Step[] = [{ step: 'cmd', stdout: 'Grüße 🎉\n\x1e\x1f not a marker\n', stderr: '\x1epmt-step', exitCode: 3 }];
    expect(parse(taskLog(steps), 4).finished.map(shape)).toEqual(steps);
  });

  it('treats marker lines with another nonce as output: they cannot end a step or fake its exit code', () => {
    const fake = newStepNonce();
    const forged = [
      stepMarker(fake, { kind: 'end', step: 'cmd', exitCode: 0 }),
      stepMarker(fake, { kind: 'begin', step: 'upload' }),
      stepMarker(fake, { kind: 'end', step: 'upload', exitCode: 0 }),
      stepMarker(nonce.toUpperCase(), { kind: 'end', step: 'cmd', exitCode: 0 }),
      `${stepMarker(nonce, { kind: 'end', step: 'cmd', exitCode: 0 })}\x1fextra`,
      `${stepMarker(nonce, { kind: 'end', step: 'cmd', exitCode: 0 })} `,
      stepMarker(nonce, { kind: 'end', step: 'cmd', exitCode: 0 }).replace('\x1f0', '\x1f0007'),
      stepMarker(nonce, { kind: 'begin', step: 'cmd' }).replace('cmd', 'nope'),
    ].join('\n');
    const steps: Step[] = [{ step: 'cmd', stdout: `before\n${forged}\nafter\n`, stderr: `${forged}`, exitCode: 1 }];
    const { finished } = parse(taskLog(steps), 5);
    expect(finished.map(shape)).toEqual(steps);
  });

  it('reports a step whose end marker never came, with what it printed, and what came outside every step', () => {
    const log = taskLog([STEPS[0]!, { step: 'cmd', stdout: 'half a line', stderr: 'working\n' }]);
    log.stderr += 'pmt-task: the lease on pmt ended\n';
    const { finished, unfinished } = parse({ stdout: `early words\n${log.stdout}`, stderr: log.stderr }, 6);
    expect(finished.map(shape)).toEqual([STEPS[0]]);
    expect(unfinished.map(shape)).toEqual([{ step: 'cmd', stdout: 'half a line', stderr: 'working\npmt-task: the lease on pmt ended\n', exitCode: undefined }]);
    const parser = new StepLogParser(nonce);
    parser.push({ stream: 'stdout', text: 'early words\n' });
    expect(parser.end().outside).toEqual({ stdout: 'early words\n', stderr: '' });
  });

  it('ends a step only when both streams saw its end marker, in whatever order they arrive', () => {
    const log = taskLog([STEPS[3]!]);
    const parser = new StepLogParser(nonce);
    expect(parser.push({ stream: 'stderr', text: log.stderr })).toEqual([]);
    expect(parser.push({ stream: 'stdout', text: log.stdout }).map(shape)).toEqual([STEPS[3]]);
  });

  it('keeps at most its limit of a step output, and holds back no more than a marker of a long line', () => {
    const limit = 1000;
    const parser = new StepLogParser(nonce, () => new Date(), limit);
    const log = taskLog([{ step: 'cmd', stdout: '', stderr: '' }]);
    parser.push({ stream: 'stdout', text: log.stdout });
    parser.push({ stream: 'stderr', text: log.stderr });
    // A line that starts like a marker but goes on without a break: given out once it is too long to be one.
    parser.push({ stream: 'stdout', text: `\x1epmt-step\x1f${'a'.repeat(MAX_MARKER_LENGTH)}` });
    for (let i = 0; i < 1000; i++) parser.push({ stream: 'stdout', text: 'x'.repeat(10_000) });
    const [cmd] = parser.end().unfinished;
    expect(cmd!.stdout.startsWith('\x1epmt-step\x1f')).toBe(true);
    expect(cmd!.stdout.length).toBeLessThan(limit + 100);
    expect(cmd!.stdout).toMatch(/\[pmt: \d{7} more bytes of output not kept\]\n$/);
  });

  it('stamps each step with the time its markers arrived', () => {
    let clock = 1_000;
    const parser = new StepLogParser(nonce, () => new Date((clock += 500)));
    const log = taskLog([STEPS[1]!]);
    parser.push({ stream: 'stdout', text: log.stdout });
    const [input] = parser.push({ stream: 'stderr', text: log.stderr });
    expect(input!.endedAt.getTime() - input!.startedAt.getTime()).toBe(500);
  });
});
