import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleRepo, REPO_ROOT, snapshotTree, tempDir, writeTree } from '../../support/fixtures.js';
import { HOSTILE_INPUT, HOSTILE_INPUT_ATTEMPTS, HOSTILE_INPUT_COMMAND, HOSTILE_INPUT_RESULTS } from '../../support/hostile-input.js';
import { scanJson, type PluginJson } from '../../support/scan-json.js';
import { EMPTY_LAB, swarmLab, waitForLabEmpty, type SwarmLab } from '../../support/swarm-lab.js';
import { labPlugin, swarmEnv, writeSwarmRegistry } from '../../support/swarm-registry.js';

describe('pmt scan --swarm: the input and the results', () => {
  let lab: SwarmLab;
  let dir: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    lab = await swarmLab();
    dir = await tempDir('pmt-swarm-io-');
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('a plugin running as root on the WORKER can neither write, delete, chmod, chown nor remount /input', async () => {
    const input = join(dir.path, 'victim');
    await writeTree(input, HOSTILE_INPUT);
    const before = await snapshotTree(input);
    const registry = await writeSwarmRegistry(dir.path, 'hostile.yaml', [
      labPlugin(lab, { name: 'vandal', user: 'root', cmd: HOSTILE_INPUT_COMMAND, results: [...HOSTILE_INPUT_RESULTS], constraints: [`node.id==${lab.worker.id}`] }),
    ]);
    const { code, report } = await scanJson(['--swarm', '-i', input, '-r', registry, '-p', 'vandal', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

    expect(code).toBe(0);
    const [vandal] = report.plugins;
    expect(vandal).toMatchObject({ status: 'succeeded', node: lab.worker.hostname });
    // The cmd's stdout, as the plugin's log has it.
    const log = await readFile(vandal!.logPath, 'utf8');
    for (const [what] of HOSTILE_INPUT_ATTEMPTS) expect(log).toContain(`refused: ${what}\n`);
    expect(log).not.toMatch(/^ALLOWED/m);
    expect(log).toContain('uid=0(root) gid=0(root)');
    expect(log).toContain('CapEff:\t0000000000000000\n');
    expect(log).toContain('NoNewPrivs:\t1\n');
    const [inside, after] = await Promise.all(vandal!.results.map((r) => readFile(r.localPath, 'utf8')));
    expect(inside).toContain('./a.txt 65534:65534 644 9\n');
    expect(after).toBe(inside);
    expect(await snapshotTree(input)).toEqual(before);
    expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
  });

  it('bundled plugins give byte-identical results on the swarm and on the local engine', async () => {
    const repo = await copySampleRepo(dir.path);
    const bundled = parse(await readFile(join(REPO_ROOT, 'plugins.yaml'), 'utf8')) as { plugins: Record<string, unknown>[] };
    const names = ['licensee', 'file-hasher'];
    const entries = bundled.plugins.filter((p) => names.includes(p.name as string));
    // The same entries, with the image from the lab's registry (and nothing to build).
    const swarmEntries = entries.map(({ build: _build, ...entry }) => labPlugin(lab, { ...(entry as { name: string; cmd: string }), docker_image: lab.image(entry.docker_image as string).ref }));
    const swarmRegistry = await writeSwarmRegistry(dir.path, 'bundled-swarm.yaml', swarmEntries);
    const localRegistry = await writeSwarmRegistry(dir.path, 'bundled-local.yaml', entries);

    const onSwarm = await scanJson(['--swarm', '-i', repo, '-r', swarmRegistry, '-p', 'all', '-o', join(dir.path, 'swarm-out'), '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });
    const local = await scanJson(['-i', repo, '-r', localRegistry, '-p', 'all', '-o', join(dir.path, 'local-out'), '--no-cache'], { cwd: dir.path });

    expect([onSwarm.code, local.code]).toEqual([0, 0]);
    const bytes = async (plugins: PluginJson[]): Promise<Record<string, string>> =>
      Object.fromEntries(await Promise.all(plugins.flatMap((p) => p.results.map(async (r) => [`${p.name}/${r.name}`, await readFile(r.localPath, 'latin1')] as const))));
    const swarmBytes = await bytes(onSwarm.report.plugins);
    expect(Object.keys(swarmBytes).sort()).toEqual(['file-hasher/result.json', 'licensee/result.json']);
    expect(swarmBytes).toEqual(await bytes(local.report.plugins));
    expect(await waitForLabEmpty(onSwarm.report.runId)).toEqual(EMPTY_LAB);
  });
});
