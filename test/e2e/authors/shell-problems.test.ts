import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { tempDir, writeConfig, writeRegistry } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

const run = promisify(execFile);

interface JsonFinding {
  check: string;
  status: string;
  plugin?: string;
  message: string;
  hint?: string;
}

const NOT_A_SHELL_HINT = 'set `shell` to a POSIX shell in the image (e.g. /bin/sh) and start the scanner from `cmd`';

/** What a plugin author sees when the entry's `shell` is wrong, or the command ends it. */
describe('the plugin shell, as an author gets it wrong', () => {
  /** The curl image without /bin/sh: bash is its only shell. */
  const bashOnly = `pmt-test/bash-only-${randomBytes(4).toString('hex')}:1`;
  let dir: { path: string; remove: () => Promise<void> };
  let input: string;

  beforeAll(async () => {
    dir = await tempDir('pmt-shell-problems-');
    input = join(dir.path, 'repo');
    await run('mkdir', ['-p', input]);
    await writeFile(join(input, 'a.txt'), 'a\n');
    await writeFile(join(dir.path, 'Dockerfile'), `FROM ${TestImages.curl}\nRUN ["/bin/rm", "/bin/sh"]\n`);
    await run('docker', ['build', '--quiet', '-t', bashOnly, dir.path]);
  }, 120_000);
  afterAll(async () => {
    await docker.getImage(bashOnly).remove({ force: true }).catch(() => undefined);
    await dir.remove();
  });

  const doctor = async (registry: string, config: string): Promise<JsonFinding[]> => {
    const report = await runPmt(['doctor', '--json', '-r', registry, '-c', config], { cwd: dir.path });
    expect(await containersWithLabels('pmt.doctor', `pmt.pid=${process.pid}`)).toEqual([]);
    return (JSON.parse(report.stdout) as { findings: JsonFinding[] }).findings;
  };

  it('a main process that is not a POSIX shell fails within seconds, in scan and doctor, and says so', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'perl', image: TestImages.shell, shell: '/usr/bin/perl', cmd: 'true' },
      { name: 'true', image: TestImages.shell, shell: '/bin/true', cmd: 'true' },
      { name: 'cat', image: TestImages.shell, shell: '/bin/cat', cmd: 'true' },
    ]);
    // Archive copy: the shell is checked whatever the transport.
    const config = await writeConfig(dir.path, { RestApi: false });
    const started = Date.now();
    const { code, report } = await scanJson(['-r', registry, '-c', config, '-p', 'perl,true,cat', '-i', input, '--no-cache'], { cwd: dir.path });
    // 30 minutes (the default timeout) before; now the first line's deadline and some engine time.
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(code).toBe(1);
    const [perl, trueShell, cat] = report.plugins;
    for (const plugin of [perl, trueShell, cat]) expect(plugin).toMatchObject({ status: 'failed', error: { origin: 'plugin', hint: NOT_A_SHELL_HINT } });
    // perl stops at the shell syntax of pmt's lines (the check's line follows the first one at
    // once); true exits at once; cat echoes.
    const perlSaid = /^`\/usr\/bin\/perl` is not a POSIX shell: pmt writes shell commands to it, and it exited with code 255 on the first one; it said: syntax error at - line \d/;
    expect(perl!.error!.message).toMatch(perlSaid);
    expect(trueShell!.error!.message).toBe('`/bin/true` is not a POSIX shell: pmt writes shell commands to it, and it exited with code 0 on the first one');
    expect(cat!.error!.message).toBe('`/bin/cat` is not a POSIX shell: pmt writes shell commands to it, and it printed them back instead of running them');

    const findings = await doctor(registry, config);
    const shellFindings = findings.filter((f) => f.check === 'shell');
    expect(shellFindings.map((f) => [f.plugin, f.status, f.hint])).toEqual([
      ['perl', 'fail', NOT_A_SHELL_HINT],
      ['true', 'fail', NOT_A_SHELL_HINT],
      ['cat', 'fail', NOT_A_SHELL_HINT],
    ]);
    // perl quotes pmt's line, whose end tag is random: the same message but for that.
    expect(shellFindings[0]!.message.startsWith(`${TestImages.shell}: `)).toBe(true);
    expect(shellFindings[0]!.message.slice(`${TestImages.shell}: `.length)).toMatch(perlSaid);
    expect(shellFindings[1]!.message).toBe(`${TestImages.shell}: ${trueShell!.error!.message}`);
    expect(shellFindings[2]!.message).toBe(`${TestImages.shell}: ${cat!.error!.message}`);
  }, 90_000);

  it('`kill 0` in cmd is the plugin ending its shell (exit 143), with only its own last output', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'killer', image: TestImages.curl, cmd: 'echo scanning; echo "giving up" >&2; kill 0; sleep 5' }]);
    const config = await writeConfig(dir.path, { RestApi: true });
    const { code, report } = await scanJson(['-r', registry, '-c', config, '-p', 'killer', '-i', input, '--no-cache'], { cwd: dir.path });
    expect(code).toBe(1);
    const [killer] = report.plugins;
    expect(killer!.error).toEqual({
      origin: 'plugin',
      message:
        "the plugin's command ended the container's shell (exit code 143: it got SIGTERM, e.g. from `kill 0`, which signals the command's whole process group, pmt's shell included); it said: giving up",
      hint: `signal only the processes your command started (\`kill "$pid"\`), not its process group (\`kill 0\`) or its parent shell; see the plugin's log ${killer!.logPath}`,
    });
    const log = await readFile(killer!.logPath, 'utf8');
    expect(log).toContain('scanning\n');
    expect(log).not.toMatch(/pmt-end-/);

    // Without any output of its own, nothing else is quoted: not the check's curl -V, not pmt's end lines.
    const silent = await writeRegistry(dir.path, [{ name: 'killer', image: TestImages.curl, cmd: 'kill 0' }]);
    const quiet = await scanJson(['-r', silent, '-c', config, '-p', 'killer', '-i', input, '--no-cache'], { cwd: dir.path });
    expect(quiet.report.plugins[0]!.error!.message).toBe(
      "the plugin's command ended the container's shell (exit code 143: it got SIGTERM, e.g. from `kill 0`, which signals the command's whole process group, pmt's shell included)",
    );
  }, 60_000);

  it('an image with bash but no /bin/sh: fine with shell /bin/bash over REST; doctor and scan agree when shell is /bin/sh', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'bash', image: bashOnly, shell: '/bin/bash', cmd: 'echo "$BASH_VERSION" > /result/result.txt' },
      { name: 'sh', image: bashOnly, shell: '/bin/sh', cmd: 'echo hi > /result/result.txt' },
    ]);
    const config = await writeConfig(dir.path, { RestApi: true, RestFallback: false });
    const findings = await doctor(registry, config);
    expect(findings.filter((f) => f.plugin === 'bash').map((f) => [f.check, f.status])).toEqual([['image', 'ok'], ['shell', 'ok'], ['curl', 'ok']]);
    expect(findings.filter((f) => f.plugin === 'sh').map((f) => [f.check, f.status])).toEqual([['image', 'ok'], ['shell', 'fail']]);
    expect(findings.find((f) => f.plugin === 'sh' && f.check === 'shell')?.message).toMatch(/main shell ended with exit code 127; it said: .*\/bin\/sh/);

    const { report } = await scanJson(['-r', registry, '-c', config, '-p', 'bash,sh', '-i', input, '--no-cache'], { cwd: dir.path });
    const [bash, sh] = report.plugins;
    // The upload loop runs in the entry's shell, not in a /bin/sh the image does not have.
    expect(bash).toMatchObject({ status: 'succeeded', transport: 'rest' });
    expect(await readFile(bash!.results[0]!.localPath, 'utf8')).toMatch(/^5\.\d/);
    expect(sh).toMatchObject({ status: 'failed' });
    expect(sh!.error!.message).toMatch(/^compatibility check `echo test` could not run: the container's main shell ended with exit code 127; it said: .*\/bin\/sh/);
  }, 90_000);
});
