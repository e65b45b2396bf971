import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgress, type ProgressOptions } from '../../../../src/cli/progress/create-progress.js';
import { resolveProgressMode } from '../../../../src/cli/progress/progress-mode.js';
import { createLogger } from '../../../../src/log/logger.js';
import { FakeTerminal } from './fake-terminal.js';

describe('resolveProgressMode', () => {
  const context = (isTTY: boolean, logFormat: 'text' | 'json', env: NodeJS.ProcessEnv = {}) => ({ isTTY, env, logFormat });

  it('auto: live on a terminal, plain next to text logs, none next to JSON logs', () => {
    expect(resolveProgressMode('auto', context(true, 'text'))).toBe('tty');
    expect(resolveProgressMode('auto', context(true, 'json'))).toBe('tty');
    expect(resolveProgressMode('auto', context(true, 'text', { TERM: 'dumb' }))).toBe('plain');
    expect(resolveProgressMode('auto', context(false, 'text'))).toBe('plain');
    expect(resolveProgressMode('auto', context(false, 'json'))).toBe('none');
  });

  it('obeys an explicit mode', () => {
    expect(resolveProgressMode('tty', context(false, 'json'))).toBe('tty');
    expect(resolveProgressMode('plain', context(true, 'text'))).toBe('plain');
    expect(resolveProgressMode('none', context(true, 'text'))).toBe('none');
  });
});

describe('createProgress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const options = (stream: FakeTerminal, overrides: Partial<ProgressOptions>): ProgressOptions => ({
    stream,
    isTTY: true,
    env: {},
    mode: 'auto',
    logFormat: 'text',
    now: () => 0,
    ...overrides,
  });

  it('on a terminal, routes the logger through the live region', () => {
    const terminal = new FakeTerminal();
    const progress = createProgress(options(terminal, { plugins: ['licensee'] }));
    const logger = createLogger({ level: 'info', format: 'text', destination: progress.logSink });
    progress.listener({ plugin: 'licensee', phase: 'running', elapsedMs: 0 });
    logger.child({ component: 'Plugin agent', plugin: 'licensee' }).info('Executing command');
    progress.listener({ plugin: 'licensee', phase: 'succeeded', elapsedMs: 0 });
    progress.stop();
    expect(progress.mode).toBe('tty');
    expect(terminal.screen()).toEqual(['[Plugin agent] [licensee] Executing command', '✓ licensee        succeeded     0.0s']);
    expect(terminal.output).toContain('\x1b[32m'); // a terminal without NO_COLOR gets colour
  });

  it('respects NO_COLOR on a terminal', () => {
    const terminal = new FakeTerminal();
    const progress = createProgress(options(terminal, { env: { NO_COLOR: '' } }));
    progress.listener({ plugin: 'a', phase: 'succeeded', elapsedMs: 0 });
    progress.stop();
    expect(terminal.output).not.toMatch(/\x1b\[\d+m/);
    expect(terminal.screen()).toEqual(['✓ a               succeeded     0.0s']);
  });

  it('off a terminal with text logs, writes plain lines and leaves the logger on the stream', () => {
    const out = new FakeTerminal();
    const progress = createProgress(options(out, { isTTY: false }));
    expect(progress.mode).toBe('plain');
    expect(progress.logSink).toBe(out);
    progress.listener({ plugin: 'a', phase: 'running', elapsedMs: 0 });
    progress.stop();
    expect(out.output).toBe('[Progress] a: running\n');
  });

  it('off a terminal with JSON logs, writes nothing', () => {
    const out = new FakeTerminal();
    const progress = createProgress(options(out, { isTTY: false, logFormat: 'json' }));
    expect(progress.mode).toBe('none');
    expect(progress.logSink).toBe(out);
    progress.listener({ plugin: 'a', phase: 'running', elapsedMs: 0 });
    progress.stop();
    expect(out.output).toBe('');
  });
});
