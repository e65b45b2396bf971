import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../../src/engine/progress-event.js';
import { ProgressView } from '../../../../src/cli/progress/progress-view.js';

/** A clock the test moves by hand: the view reads it when drawing. */
function clock(start = 1000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const at = (plugin: string, phase: ProgressEvent['phase'], elapsedMs: number, extra: Partial<ProgressEvent> = {}): ProgressEvent => ({
  plugin,
  phase,
  elapsedMs,
  ...extra,
});

describe('ProgressView', () => {
  it('draws one aligned line per phase', () => {
    const c = clock();
    const view = new ProgressView({ color: false, now: c.now, plugins: ['licensee', 'scancode', 'reuse', 'slow', 'cached-one', 'queued-one'] });
    view.apply(at('licensee', 'starting', 0));
    view.apply(at('scancode', 'pulling', 0, { percent: 45.4 }));
    view.apply(at('reuse', 'running', 0));
    view.apply(at('slow', 'running', 0));
    view.apply(at('cached-one', 'cached', 0));
    c.advance(2000);
    view.apply(at('reuse', 'failed', 2000, { detail: 'exit code 2\nstack trace…' }));
    c.advance(28_000);
    view.apply(at('slow', 'timed out', 30_000, { detail: 'no result after 30s' }));
    c.advance(300);
    expect(view.lines(120)).toEqual([
      '  licensee        starting     30.3s',
      '  scancode        pulling 45%  30.3s',
      '✗ reuse           failed        2.0s  exit code 2',
      '⏱ slow            timed out    30.0s  no result after 30s',
      '↺ cached-one      cached',
      '  queued-one      queued',
    ]);
  });

  it('advances running timers with the clock and freezes them at the final phase', () => {
    const c = clock(50_000);
    const view = new ProgressView({ color: false, now: c.now });
    view.apply(at('licensee', 'running', 200));
    c.advance(12_300);
    expect(view.lines(80)).toEqual(['  licensee        running      12.3s']);
    c.advance(75_000);
    expect(view.lines(80)).toEqual(['  licensee        running      1m27s']);
    view.apply(at('licensee', 'collecting', 87_500));
    view.apply(at('licensee', 'succeeded', 88_200));
    c.advance(60_000);
    expect(view.lines(80)).toEqual(['✓ licensee        succeeded    1m28s']);
    expect(view.settled).toBe(true);
  });

  it('keeps a final phase when a late event arrives', () => {
    const view = new ProgressView({ color: false, now: () => 0 });
    view.apply(at('a', 'running', 0));
    view.apply(at('a', 'succeeded', 1400));
    view.apply(at('a', 'interrupted', 1500));
    expect(view.lines(80)).toEqual(['✓ a               succeeded     1.4s']);
  });

  it('colours the mark and the status only when asked', () => {
    const view = new ProgressView({ color: true, now: () => 0 });
    view.apply(at('ok', 'succeeded', 0));
    view.apply(at('bad', 'failed', 0));
    const [ok, bad] = view.lines(80);
    expect(ok).toBe('\x1b[32m✓ \x1b[39mok              \x1b[32msucceeded   \x1b[39m  0.0s');
    expect(bad).toContain('\x1b[31m✗ \x1b[39m');
    const plain = new ProgressView({ color: false, now: () => 0 });
    plain.apply(at('ok', 'succeeded', 0));
    expect(plain.lines(80)[0]).not.toContain('\x1b');
  });

  it('cuts lines to the width, with colour codes closed', () => {
    const view = new ProgressView({ color: true, now: () => 0 });
    view.apply(at('reuse', 'failed', 0, { detail: 'a very long reason that does not fit' }));
    const line = view.lines(22)[0]!;
    expect(line.replace(/\x1b\[\d+m/g, '')).toBe('✗ reuse           fai…');
    expect(line).toBe('\x1b[31m✗ \x1b[39mreuse           \x1b[31mfai\x1b[39m…');
    expect(view.lines(1)).toEqual(['…']);
  });

  it('widens the name column for long names', () => {
    const view = new ProgressView({ color: false, now: () => 0, plugins: ['license-finder-extended', 'a'] });
    expect(view.lines(80)).toEqual(['  license-finder-extended  queued', '  a                        queued']);
  });

  it('keeps unfinished plugins and sums up the rest when there are more than maxLines', () => {
    const view = new ProgressView({ color: false, now: () => 0, plugins: ['a', 'b', 'c', 'd'] });
    view.apply(at('a', 'succeeded', 0));
    view.apply(at('b', 'succeeded', 0));
    view.apply(at('d', 'running', 0));
    expect(view.lines(80, 3)).toEqual(['  c               queued', '  d               running       0.0s', '  … 2 more (2 finished)']);
  });
});
