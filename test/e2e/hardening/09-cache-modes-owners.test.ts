import { chmod, chown, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';
import { commitAll, git } from '../../unit/cache/git-repo.js';

/**
 * Plugins run as root without CAP_DAC_OVERRIDE: what they can read depends on modes and owners,
 * so a cached result must never outlive a chmod or chown.
 */
describe('item 9: the cache follows modes, owners and empty directories', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let input: string;
  let registry: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    dir = await tempDir();
    input = join(dir.path, 'repo');
    await writeTree(input, { LICENSE: 'MIT\n', 'src/secret.txt': 'the content\n' });
    await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    registry = await writeRegistry(dir.path, [
      { name: 'reader', image: TestImages.shell, cmd: '{ cat /input/src/secret.txt 2>&1; find /input -mindepth 1 | sort; } > /result/result.txt' },
    ]);
    env = { XDG_CACHE_HOME: join(dir.path, 'cache') };
  });
  afterEach(async () => {
    await dir.remove();
  });

  async function scan(): Promise<{ status: string; seen: string }> {
    const { code, report } = await scanJson(['-i', input, '-r', registry, '-p', 'reader'], { cwd: dir.path, env });
    expect(code).toBe(0);
    return { status: report.plugins[0]!.status, seen: await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8') };
  }

  it.each<[string, boolean]>([
    ['without git', false],
    ['in a clean git work tree', true],
  ])('a file made unreadable, readable again, given away, and a new empty directory each miss the cache (%s)', async (_what, withGit) => {
    if (withGit) await commitAll(input);
    await chmod(join(input, 'src/secret.txt'), 0o000);
    const denied = await scan();
    expect(denied).toMatchObject({ status: 'succeeded', seen: expect.stringContaining('Permission denied') });
    expect((await scan()).status).toBe('cached');

    await chmod(join(input, 'src/secret.txt'), 0o644);
    const readable = await scan();
    expect(readable).toMatchObject({ status: 'succeeded', seen: expect.stringMatching(/^the content\n/) });

    // Owned by nobody, readable by its owner only: root without CAP_DAC_OVERRIDE is "other".
    await chmod(join(input, 'src/secret.txt'), 0o600);
    await chown(join(input, 'src/secret.txt'), 65534, 65534);
    const givenAway = await scan();
    expect(givenAway).toMatchObject({ status: 'succeeded', seen: expect.stringContaining('Permission denied') });

    await mkdir(join(input, 'src/empty'));
    if (withGit) expect(await git(input, 'status', '--porcelain', '--ignored')).toBe('');
    const withEmptyDir = await scan();
    expect(withEmptyDir).toMatchObject({ status: 'succeeded', seen: expect.stringContaining('/input/src/empty\n') });
    expect((await scan()).status).toBe('cached');
  });
});
