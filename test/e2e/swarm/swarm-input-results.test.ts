import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleRepo, REPO_ROOT, snapshotTree, tempDir, writeTree } from '../../support/fixtures.js';
import { scanJson, type PluginJson } from '../../support/scan-json.js';
import { EMPTY_LAB, swarmLab, waitForLabEmpty, type SwarmLab } from '../../support/swarm-lab.js';
import { labPlugin, swarmEnv, writeSwarmRegistry } from '../../support/swarm-registry.js';

/**
 * Every way a root process might change what it scans, each reported on its own line. Run by a
 * plugin as root: locally /input is a read-only bind; on a swarm it is a volume the task script
 * filled with files owned by nobody, and the cmd runs without CAP_SYS_ADMIN, DAC override or ownership.
 */
const HOSTILE = `
try() { if "$@" >/dev/null 2>&1; then echo "ALLOWED: $*"; else echo "refused: $*"; fi; }
try sh -c 'echo x > /input/a.txt'
try sh -c 'echo x >> /input/a.txt'
try truncate -s 0 /input/a.txt
try touch /input/new
try mkdir /input/newdir
try rm -f /input/a.txt
try mv /input/a.txt /input/moved
try ln -s /etc/passwd /input/link
try chmod 777 /input
try chmod 666 /input/a.txt
try chown 0:0 /input/a.txt
try chown 0:0 /input
try touch -d 2001-01-01 /input/a.txt
try mount -o remount,rw /input
try umount -l /input
try mount -t tmpfs none /input
try sh -c 'echo x > /input/sub/b.txt'
id -u
`;

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
    await writeTree(input, { 'a.txt': 'original\n', 'sub/b.txt': 'nested\n' });
    const before = await snapshotTree(input);
    const registry = await writeSwarmRegistry(dir.path, 'hostile.yaml', [
      labPlugin(lab, { name: 'vandal', user: 'root', cmd: `{ ${HOSTILE} } > /result/result.txt 2>&1; cat /input/a.txt >> /result/result.txt`, constraints: [`node.id==${lab.worker.id}`] }),
    ]);
    const { code, report } = await scanJson(['--swarm', '-i', input, '-r', registry, '-p', 'vandal', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

    expect(code).toBe(0);
    expect(report.plugins[0]).toMatchObject({ status: 'succeeded', node: lab.worker.hostname });
    const lines = (await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8')).trim().split('\n');
    expect(lines.filter((line) => line.startsWith('ALLOWED'))).toEqual([]);
    expect(lines.filter((line) => line.startsWith('refused'))).toHaveLength(17);
    // It really was root, and the input it read was still the original.
    expect(lines.slice(-2)).toEqual(['0', 'original']);
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
