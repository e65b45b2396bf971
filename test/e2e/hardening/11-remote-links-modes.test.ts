import { chmod, chown, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { REMOTE_DOCKER_HOST, ensureRemoteEngine, remoteLeftovers } from '../../support/remote-engine.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

/** What a plugin sees of each entry: type, permissions, owner; whether the way out resolves; what it can read. */
const LOOK = [
  'for f in /input/LICENSE /input/index.js /input/inner-link /input/secret /input/private; do stat -c "%n %A %u %g" $f; done;',
  'test -e /input/LICENSE && echo LICENSE resolves || echo LICENSE dangles;',
  'cat /input/inner-link /input/secret /input/private 2>&1; true',
].join(' ');

describe('item 11: a remote (copy mode) scan sees what a local scan sees', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let pkg: string;
  let registry: string;

  beforeAll(async () => {
    await ensureRemoteEngine();
  });
  beforeEach(async () => {
    dir = await tempDir();
    // A monorepo whose package links its licence to the top one; the package alone is scanned.
    const mono = join(dir.path, 'mono');
    pkg = join(mono, 'packages/foo');
    await writeTree(mono, { LICENSE: 'MIT\n', 'packages/foo/index.js': 'module.exports = 1;\n', 'packages/foo/secret': 'hidden\n', 'packages/foo/private': 'nobody\n' });
    await symlink('../../LICENSE', join(pkg, 'LICENSE'));
    await symlink('index.js', join(pkg, 'inner-link'));
    await chmod(join(pkg, 'secret'), 0o000);
    await chmod(join(pkg, 'private'), 0o600);
    await chown(join(pkg, 'private'), 65534, 65534);
    await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    registry = await writeRegistry(dir.path, [{ name: 'looker', image: TestImages.shell, cmd: `{ ${LOOK}; } > /result/result.txt` }]);
  });
  afterEach(async () => {
    await dir.remove();
  });

  async function look(extra: string[]): Promise<{ seen: string; stderr: string }> {
    const { code, report, stderr } = await scanJson(['-i', pkg, '-r', registry, '-p', 'looker', '--no-cache', ...extra], { cwd: dir.path });
    expect(report.plugins[0]?.error).toBeNull();
    expect(code).toBe(0);
    expect(await remoteLeftovers(`pmt.run=${report.runId}`)).toEqual({ containers: [], volumes: [] });
    return { seen: await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8'), stderr };
  }

  it('a symlink leading out of the input dangles, and modes and owners decide what is readable, as in a local scan', async () => {
    const local = await look([]);
    const remote = await look(['--docker-host', REMOTE_DOCKER_HOST]);

    expect(local.seen).toContain('LICENSE dangles');
    expect(local.seen).toContain('module.exports = 1;\ncat: /input/secret: Permission denied\ncat: /input/private: Permission denied');
    expect(local.seen).toContain('/input/private -rw------- 65534 65534\n');
    expect(remote.seen).toBe(local.seen);
    expect(remote.stderr).toContain('1 symlink(s) leading out of the input got the absolute target they resolve to in the container: LICENSE');
  });
});
