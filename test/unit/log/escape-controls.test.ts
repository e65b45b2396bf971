import { describe, expect, it } from 'vitest';
import { escapeControls, escapeControlsByLine } from '../../../src/log/escape-controls.js';
import { maskCredentials } from '../../../src/log/mask-credentials.js';

describe('escapeControls', () => {
  it('writes every character a terminal could act on as a \\u escape', () => {
    const hostile = 'ok\x1b[2K\rALL GOOD\x1b]0;title\x07\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\\x9b31m\x7f\b\u202eexe.txt\u2066\u200b\u2028\ufeff';
    const escaped = escapeControls(hostile);
    expect(escaped).toBe(
      'ok\\u001b[2K\\u000dALL GOOD\\u001b]0;title\\u0007\\u001b]8;;http://evil\\u001b\\link\\u001b]8;;\\u001b\\\\u009b31m\\u007f\\u0008' +
        '\\u202eexe.txt\\u2066\\u200b\\u2028\\ufeff',
    );
    expect(escaped).toMatch(/^[\x20-\x7e]*$/);
  });

  it('escapes newlines and tabs too (a message is one line), keeps printable text of any script as it is', () => {
    expect(escapeControls('a\nb\tc')).toBe('a\\u000ab\\u0009c');
    expect(escapeControls('Lizenz: Müller — 结果 ✓ 👍🏽')).toBe('Lizenz: Müller — 结果 ✓ 👍🏽');
  });

  it('escapes astral format characters and lone surrogates per UTF-16 unit, as JSON does', () => {
    expect(escapeControls('tag\u{e0041}')).toBe('tag\\udb40\\udc41');
    expect(escapeControls('lone\ud800')).toBe('lone\\ud800');
  });

  it('is idempotent and keeps serialised JSON valid with the same meaning', () => {
    const value = { message: 'x\u0085y\u202ez\x1b', nested: ['\u2029'] };
    const json = escapeControlsByLine(JSON.stringify(value, null, 2));
    expect(json).toMatch(/^[\x20-\x7e\n]*$/);
    expect(JSON.parse(json)).toEqual(value);
    expect(escapeControls(escapeControls('\x1b'))).toBe('\\u001b');
  });
});

describe('maskCredentials', () => {
  it.each([
    ['http://alice:s3cret@host:8081/pmt', 'http://alice:****@host:8081/pmt'],
    ['https://alice:pa@ss@host/', 'https://alice:****@host/'],
    ['PMT server at http://a:b@127.0.0.1:1 is up; then http://c:d@x', 'PMT server at http://a:****@127.0.0.1:1 is up; then http://c:****@x'],
    ['"ht tp://dave:hunter2@x" is not a URL', '"ht tp://dave:****@x" is not a URL'],
    ['http://:token@host', 'http://:****@host'],
    // A token as the user name of an http(s) URL is a secret too.
    ['https://ghp_t0ken@host/pmt', 'https://****@host/pmt'],
    ['server HTTP://t0ken@host failed', 'server HTTP://****@host failed'],
  ])('%s → %s', (text, masked) => {
    expect(maskCredentials(text)).toBe(masked);
  });

  it('leaves URLs without a password, and e-mail addresses, alone', () => {
    for (const text of ['http://host:8081/a@b', 'ssh://root@127.0.0.1:2222', 'mail me@example.org', 'tcp://127.0.0.1:2375']) {
      expect(maskCredentials(text)).toBe(text);
    }
  });
});

describe('every printer of plugin text escapes it, even when handed it raw', () => {
  const raw = 'broke\x1b[2K\rALL GOOD\x1b]0;t\x07';
  const progress = { plugin: 'p', phase: 'failed', startedMs: 0, endedMs: 10, percent: undefined, detail: raw } as const;

  it('live and plain progress lines, text log lines', async () => {
    const { formatProgressLine } = await import('../../../src/cli/progress/format-progress-line.js');
    const { formatPlainLine } = await import('../../../src/cli/progress/plain-progress.js');
    const { formatLogLine } = await import('../../../src/log/format-log-line.js');
    const lines = [
      formatProgressLine(progress, 10, { nameWidth: 1, width: 200, color: false }),
      formatPlainLine(undefined, progress, false) ?? '',
      formatLogLine({ level: 50, msg: `failed: ${raw}\nforged line`, component: 'Core', detail: raw }),
    ];
    for (const line of lines) {
      expect(line).toContain('broke\\u001b[2K\\u000dALL GOOD');
      expect(line).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    }
  });
});
