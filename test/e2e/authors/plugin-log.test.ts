import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig } from '../../support/fixtures.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

const STARTED = (command: string): RegExp => new RegExp(`^pmt: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} started: ${escape(command)}$`, 'm');
const ENDED = (how: string, command: string): RegExp => new RegExp(`^pmt: ${escape(how)} after \\d+\\.\\d{3}s: ${escape(command)}$`, 'm');

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The plugin's log answers "did my cmd start, how did it end, how long did it take" for every command. */
describe("the plugin's log", () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-plugin-log-');
    await writeFile(join(dir.path, 'a.txt'), 'a\n');
  });
  afterEach(async () => {
    await dir.remove();
  });

  const scan = async (entry: string, extra: string[] = []) => {
    const registry = join(dir.path, 'plugins.yaml');
    await writeFile(registry, `version: R1.0\nplugins:\n  - name: p\n    version: 1.0.0\n    docker_image: ${TestImages.shell}\n    shell: /bin/sh\n    results: [r.txt]\n${entry}`);
    const config = await writeConfig(dir.path, { RestApi: false });
    const { report } = await scanJson(['-r', registry, '-c', config, '-p', 'p', '-i', dir.path, '--no-cache', ...extra], { cwd: dir.path });
    return { plugin: report.plugins[0]!, log: await readFile(report.plugins[0]!.logPath, 'utf8') };
  };

  it('shows silent commands and pmt\'s root chmod, each with start time, exit status and duration', async () => {
    const { plugin, log } = await scan('    user: "1000"\n    cmd: touch /result/r.txt\n');
    expect(plugin.status).toBe('succeeded');
    const chmod = 'chmod 0777 /result (as root, in an engine exec)';
    const cmd = '/bin/sh -c touch /result/r.txt';
    expect(log).toMatch(STARTED(chmod));
    expect(log).toMatch(ENDED('exit status 0', chmod));
    expect(log).toMatch(STARTED('/bin/sh -c echo test'));
    expect(log).toMatch(STARTED(cmd));
    expect(log).toMatch(ENDED('exit status 0', cmd));
    // In the order they ran: the check was given to the shell before the container started.
    expect(log.indexOf('/bin/sh -c echo test')).toBeLessThan(log.indexOf(chmod));
    expect(log.indexOf(chmod)).toBeLessThan(log.indexOf(cmd));
  });

  it('shows a timed-out command as started and cut short, with what it printed', async () => {
    const { plugin, log } = await scan('    cmd: echo working; sleep 30\n', ['--timeout', '2s']);
    expect(plugin.status).toBe('timed out');
    const cmd = '/bin/sh -c echo working; sleep 30';
    expect(log).toMatch(STARTED(cmd));
    expect(log).toContain(`stdout of command ${cmd}\nworking\n`);
    expect(log).toMatch(ENDED('cut short (timeout or signal)', cmd));
    expect(log).toMatch(/^pmt: timed out after 2s; the container was removed$/m);
  });

  it('shows a failing command with its exit status', async () => {
    const { plugin, log } = await scan('    cmd: exit 4\n');
    expect(plugin.status).toBe('failed');
    expect(log).toMatch(ENDED('exit status 4', '/bin/sh -c exit 4'));
  });
});
