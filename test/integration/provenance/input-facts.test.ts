import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeInput } from '../../../src/engine/input-facts.js';
import { tempDir, writeTree } from '../../support/fixtures.js';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=pmt test', '-c', 'user.email=test@pmt.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();

describe('the input facts a provenance record gets', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-input-facts-');
    await writeTree(dir.path, { 'LICENSE': 'MIT\n', 'sub/a.c': '// SPDX-License-Identifier: MIT\n' });
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('outside git: a walk digest and no revision', async () => {
    const facts = await describeInput(dir.path);
    expect(facts).toMatchObject({ dir: dir.path, digest: { method: 'walk' }, digestError: undefined, git: undefined });
  });

  it('in a clean work tree: the commit, not dirty, the tree digest; then dirty once a file changes or appears', async () => {
    git(dir.path, 'init', '-q');
    git(dir.path, 'add', '.');
    git(dir.path, 'commit', '-qm', 'first');
    const commit = git(dir.path, 'rev-parse', 'HEAD');
    expect(await describeInput(dir.path)).toMatchObject({ digest: { method: 'git-tree' }, git: { commit, dirty: false, path: '' } });
    expect(await describeInput(join(dir.path, 'sub'))).toMatchObject({ git: { commit, dirty: false, path: 'sub/' } });

    await writeFile(join(dir.path, 'sub', 'new.c'), 'int x;\n');
    expect(await describeInput(dir.path)).toMatchObject({ digest: { method: 'walk' }, git: { commit, dirty: true } });
    expect((await describeInput(join(dir.path, 'sub'))).git?.dirty).toBe(true);
    git(dir.path, 'add', '.');
    git(dir.path, 'commit', '-qm', 'second');
    await writeFile(join(dir.path, 'LICENSE'), 'Apache-2.0\n');
    const facts = await describeInput(dir.path);
    expect(facts.git).toEqual({ commit: git(dir.path, 'rev-parse', 'HEAD'), dirty: true, path: '' });
    // Only the input directory counts: a change beside it leaves sub/ clean.
    expect((await describeInput(join(dir.path, 'sub'))).git?.dirty).toBe(false);
  });

  it("pmt's own results and logs inside the input (-i . -o pmt-results) leave the work tree clean", async () => {
    git(dir.path, 'init', '-q');
    git(dir.path, 'add', '.');
    git(dir.path, 'commit', '-qm', 'first');
    await writeTree(dir.path, { 'pmt-results/licensee_result.json': '{}\n', 'logs/run.log': 'x\n' });
    const facts = await describeInput(dir.path, { exclude: ['pmt-results', 'logs'] });
    expect(facts.git).toMatchObject({ dirty: false });
    expect(facts.digest?.method).toBe('git-tree');
    // Anything else untracked still counts.
    await writeFile(join(dir.path, 'NOTES'), 'new\n');
    expect((await describeInput(dir.path, { exclude: ['pmt-results', 'logs'] })).git?.dirty).toBe(true);
  });
});
