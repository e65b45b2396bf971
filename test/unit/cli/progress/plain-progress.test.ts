import { describe, expect, it } from 'vitest';
import { plainProgress } from '../../../../src/cli/progress/plain-progress.js';
import { FakeTerminal } from './fake-terminal.js';

describe('plainProgress', () => {
  it('prints one line per phase change, with the duration of finished plugins', () => {
    const out = new FakeTerminal();
    const listener = plainProgress(out, false);
    listener({ plugin: 'licensee', phase: 'queued', elapsedMs: 0 });
    listener({ plugin: 'licensee', phase: 'pulling', elapsedMs: 100, percent: 10 });
    listener({ plugin: 'licensee', phase: 'pulling', elapsedMs: 200, percent: 60 });
    listener({ plugin: 'licensee', phase: 'running', elapsedMs: 300 });
    listener({ plugin: 'licensee', phase: 'succeeded', elapsedMs: 1500 });
    listener({ plugin: 'reuse', phase: 'running', elapsedMs: 0 });
    listener({ plugin: 'reuse', phase: 'failed', elapsedMs: 2000, detail: 'exit code 2\nmore' });
    listener({ plugin: 'slow', phase: 'running', elapsedMs: 0 });
    listener({ plugin: 'slow', phase: 'timed out', elapsedMs: 30_000, detail: 'no result after 30s' });
    listener({ plugin: 'cached-one', phase: 'cached', elapsedMs: 5 });
    listener({ plugin: 'stopped', phase: 'running', elapsedMs: 0 });
    listener({ plugin: 'stopped', phase: 'interrupted', elapsedMs: 700 });
    listener({ plugin: 'stopped', phase: 'interrupted', elapsedMs: 900 });
    expect(out.output).toBe(
      [
        '[Progress] licensee: pulling',
        '[Progress] licensee: running',
        '[Progress] licensee: succeeded in 1.4s',
        '[Progress] reuse: running',
        '[Progress] reuse: failed after 2.0s: exit code 2',
        '[Progress] slow: running',
        '[Progress] slow: timed out after 30.0s: no result after 30s',
        '[Progress] cached-one: cached',
        '[Progress] stopped: running',
        '[Progress] stopped: interrupted after 0.7s',
        '',
      ].join('\n'),
    );
  });

  it('names the swarm node a task runs on, from the event that first says it', () => {
    const out = new FakeTerminal();
    const listener = plainProgress(out, false);
    listener({ plugin: 'licensee', phase: 'starting', elapsedMs: 0 });
    listener({ plugin: 'licensee', phase: 'starting', elapsedMs: 50, node: 'n2' });
    listener({ plugin: 'licensee', phase: 'pulling', elapsedMs: 100, node: 'n2' });
    listener({ plugin: 'licensee', phase: 'running', elapsedMs: 300 });
    listener({ plugin: 'licensee', phase: 'failed', elapsedMs: 1300, detail: 'command exited with code 3' });
    expect(out.output).toBe(
      [
        '[Progress] licensee: starting',
        '[Progress] licensee: starting on n2',
        '[Progress] licensee: pulling on n2',
        '[Progress] licensee: running on n2',
        '[Progress] licensee: failed on n2 after 1.3s: command exited with code 3',
        '',
      ].join('\n'),
    );
  });

  it('colours the status when asked', () => {
    const out = new FakeTerminal();
    plainProgress(out, true)({ plugin: 'a', phase: 'failed', elapsedMs: 0 });
    expect(out.output).toBe('[Progress] a: \x1b[31mfailed\x1b[39m after 0.0s\n');
  });
});
