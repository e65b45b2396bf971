import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveProgress } from '../../../../src/cli/progress/live-progress.js';
import { ProgressView } from '../../../../src/cli/progress/progress-view.js';
import { FakeTerminal } from './fake-terminal.js';

function setUp(options: { plugins?: string[]; columns?: number; rows?: number; color?: boolean } = {}) {
  let t = 0;
  const terminal = new FakeTerminal(options.columns ?? 80, options.rows);
  const view = new ProgressView({ color: options.color ?? false, now: () => t, plugins: options.plugins ?? ['a', 'b'] });
  const live = new LiveProgress({ stream: terminal, view, tickMs: 100 });
  return { terminal, live, advance: (ms: number) => (t += ms) };
}

describe('LiveProgress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints a log line where the region was and redraws the region below it', () => {
    const { terminal, live } = setUp({ plugins: ['a'] });
    live.update({ plugin: 'a', phase: 'running', elapsedMs: 0 });
    live.write('[Core] hello\n');
    expect(terminal.writes).toEqual([
      '  a               running       0.0s\n',
      // back to the region's first line, erase to the end of the screen, the log line, the region
      '\r\x1b[1A\x1b[J[Core] hello\n  a               running       0.0s\n',
    ]);
    live.stop();
  });

  it('never lets a log line and the region share a screen line', () => {
    const { terminal, live, advance } = setUp();
    live.update({ plugin: 'a', phase: 'pulling', elapsedMs: 0, percent: 10 });
    live.write('[Plugin agent] [a] Pulling pmt/a:1\n');
    live.update({ plugin: 'b', phase: 'running', elapsedMs: 0 });
    // A chunk without its newline is held until the line is complete.
    live.write('[Plugin agent] [b] Executing ');
    advance(1500);
    live.update({ plugin: 'a', phase: 'running', elapsedMs: 1500 });
    live.write('command…\n[Core] two lines\nin one write\n');
    expect(terminal.screen()).toEqual([
      '[Plugin agent] [a] Pulling pmt/a:1',
      '[Plugin agent] [b] Executing command…',
      '[Core] two lines',
      'in one write',
      '  a               running       1.5s',
      '  b               running       1.5s',
    ]);
    live.stop();
  });

  it('redraws running timers on its ticker, only when a line changed', () => {
    const { terminal, live, advance } = setUp({ plugins: ['a'] });
    live.update({ plugin: 'a', phase: 'running', elapsedMs: 0 });
    const before = terminal.writes.length;
    vi.advanceTimersByTime(300); // the clock has not moved: nothing to redraw
    expect(terminal.writes.length).toBe(before);
    advance(2300);
    vi.advanceTimersByTime(100);
    expect(terminal.writes.length).toBe(before + 1);
    expect(terminal.screen()).toEqual(['  a               running       2.3s']);
    live.stop();
  });

  it('leaves the final state on screen at stop, flushes a pending partial line and then passes writes through', () => {
    const { terminal, live, advance } = setUp({ plugins: ['a'] });
    live.update({ plugin: 'a', phase: 'running', elapsedMs: 0 });
    live.write('half a line');
    advance(1400);
    live.update({ plugin: 'a', phase: 'succeeded', elapsedMs: 1400 });
    live.stop();
    live.stop();
    expect(vi.getTimerCount()).toBe(0);
    live.write('after\n');
    expect(terminal.screen()).toEqual(['half a line', '✓ a               succeeded     1.4s', 'after']);
    expect(terminal.listenerCount('resize')).toBe(0);
  });

  it('cuts lines to the terminal width and redraws on resize, erasing the re-wrapped old region', () => {
    const { terminal, live } = setUp({ plugins: ['licensee'], columns: 40 });
    live.update({ plugin: 'licensee', phase: 'failed', elapsedMs: 0, detail: 'exit code 2 from the scanner' });
    expect(terminal.writes.at(-1)).toBe('✗ licensee        failed        0.0s  …\n');
    terminal.resize(20);
    // The 39-column line now takes two 20-column rows on a re-wrapping terminal.
    expect(terminal.writes.at(-1)).toBe('\r\x1b[2A\x1b[J✗ licensee        …\n');
    live.stop();
  });

  it('treats a terminal that reports 0 columns and 0 rows (under `script`, some CI viewers) as 80 columns wide', () => {
    const { terminal, live } = setUp({ plugins: ['licensee'], columns: 0, rows: 0 });
    live.update({ plugin: 'licensee', phase: 'failed', elapsedMs: 0, detail: 'exit code 2 from the scanner' });
    expect(terminal.writes.at(-1)).toBe('✗ licensee        failed        0.0s  exit code 2 from the scanner\n');
    live.stop();
  });

  it('keeps the region shorter than the screen', () => {
    const { terminal, live } = setUp({ plugins: ['a', 'b', 'c', 'd'], rows: 4 });
    live.update({ plugin: 'a', phase: 'succeeded', elapsedMs: 0 });
    expect(terminal.screen()).toEqual(['  b               queued', '  c               queued', '  … 2 more (1 finished)']);
    live.stop();
  });

  it('writes colour only when the view has it on', () => {
    const colored = setUp({ plugins: ['a'], color: true });
    colored.live.update({ plugin: 'a', phase: 'succeeded', elapsedMs: 0 });
    colored.live.stop();
    expect(colored.terminal.output).toContain('\x1b[32m');
    const plain = setUp({ plugins: ['a'], color: false });
    plain.live.update({ plugin: 'a', phase: 'succeeded', elapsedMs: 0 });
    plain.live.stop();
    expect(plain.terminal.output).not.toMatch(/\x1b\[\d+m/);
  });
});
