import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastWords } from '../../../src/docker/last-words.js';
import { docker } from '../../support/engine-state.js';
import { tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TEST_LABEL, TestImages } from '../../support/test-images.js';

/**
 * What a hostile plugin prints: erase the line (ESC[2K) and return (CR) to print a fake "ALL GOOD",
 * set the window title (OSC 0), plant a link (OSC 8), a C1 CSI (U+009B) and a bidi override (U+202E).
 */
const HOSTILE = String.raw`scanner broke\033[2K\rALL GOOD \033]0;pwned-title\007\033]8;;http://evil.example/\033\\click\033]8;;\033\\ \302\23331m \342\200\256txt.exe\n`;

/** Anything a terminal would act on; pmt's output (without colours: not a terminal) must hold none but newlines. */
const ACTIVE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/u;

describe('issue 10 item 10: text from plugins reaches the terminal escaped (summary, logs, progress, --json, last words)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: string;
  let config: string;
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-10-');
    repo = join(dir.path, 'repo');
    await writeTree(repo, { LICENSE: 'MIT' });
    registry = await writeRegistry(dir.path, [{ name: 'escapes-10', image: TestImages.shell, cmd: `printf '${HOSTILE}' >&2; exit 1` }]);
    config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
  });
  afterEach(async () => dir.remove());

  it('the summary, text logs and plain progress show the stderr escaped; the plugin log keeps it verbatim', async () => {
    const run = await runPmt(['scan', '-i', repo, '-r', registry, '-c', config, '-p', 'escapes-10', '--log-format', 'text', '--progress', 'plain'], { cwd: dir.path });
    expect(run.code).toBe(1);
    const shown = 'scanner broke\\u001b[2K\\u000dALL GOOD \\u001b]0;pwned-title\\u0007\\u001b]8;;http://evil.example/\\u001b\\click';
    expect(run.stdout).toContain(`escapes-10: plugin error: command exited with code 1: ${shown}`);
    expect(run.stdout).toContain('\\u009b31m \\u202etxt.exe');
    expect(run.stderr).toContain(`[Plugin agent] [escapes-10] error: command exited with code 1: ${shown}`);
    expect(run.stderr).toContain(`[Progress] escapes-10: failed after`);
    expect(run.stdout).not.toMatch(ACTIVE);
    expect(run.stderr).not.toMatch(ACTIVE);

    // The plugin's own log is its output as written (view it with `less`, which shows ESC as ^[).
    const [logFile] = await readdir(join(dir.path, 'logs'));
    const logs = await readFile(join(dir.path, 'logs', logFile!), 'utf8');
    expect(logs).toContain('scanner broke\x1b[2K\rALL GOOD \x1b]0;pwned-title\x07');
  });

  it('--json and JSON log lines carry the same escaped text and stay valid JSON', async () => {
    const { code, report, stderr } = await scanJson(['-i', repo, '-r', registry, '-c', config, '-p', 'escapes-10', '--log-format', 'json'], { cwd: dir.path });
    expect(code).toBe(1);
    expect(report.plugins[0]?.error?.message).toContain('scanner broke\\u001b[2K\\u000dALL GOOD \\u001b]0;pwned-title\\u0007');
    expect(report.plugins[0]?.error?.message).toContain('\\u009b31m \\u202etxt.exe');
    expect(stderr).not.toMatch(ACTIVE);
    const records = stderr.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(records.some((r) => r.msg.includes('scanner broke\\u001b[2K'))).toBe(true);
  });

  it("a stopped container's last words come back escaped", async () => {
    const container = await docker.createContainer({
      Image: TestImages.shell,
      Cmd: ['/bin/sh', '-c', `printf 'bye\\033]0;pwned\\007\\r\\033[2Kfine\\n'`],
      Labels: { [TEST_LABEL]: 'item-10' },
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      await container.start();
      await container.wait();
      const last = await lastWords(container);
      expect(last).toEqual({ exitCode: 0, output: 'bye\\u001b]0;pwned\\u0007\\u000d\\u001b[2Kfine' });
    } finally {
      await container.remove({ force: true });
    }
    expect(await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=item-10`] } })).toEqual([]);
  });
});
