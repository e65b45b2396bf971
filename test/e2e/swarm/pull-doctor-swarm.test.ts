import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeConfig, writeRegistry } from '../../support/fixtures.js';
import { runPmt, spawnPmt } from '../../support/run-pmt.js';
import { buildUniqueImage, labState, missingLabImage, pushLabImage, swarmLab, type LabObjects, type PushedLabImage, type SwarmLab } from '../../support/swarm-lab.js';
import { until } from '../../support/until.js';

/** pmt pull --swarm and pmt doctor --swarm on the two-node lab: each node pulls for real, nothing is left. */
describe('pull and doctor on the swarm lab', () => {
  let lab: SwarmLab;
  let dir: { path: string; remove: () => Promise<void> };
  let local: { image: string; remove: () => Promise<void> };
  let pushed: PushedLabImage;
  let env: NodeJS.ProcessEnv;
  let config: string;

  beforeAll(async () => {
    lab = await swarmLab();
    dir = await tempDir();
    // An image no node has: each must fetch its layer from the registry, with the login.
    local = await buildUniqueImage();
    pushed = await pushLabImage(local.image);
    env = { DOCKER_HOST: lab.manager.dockerHost };
    config = await writeConfig(dir.path, { RemoteRepoUser: lab.auth.username, RemoteRepoPass: lab.auth.password });
  });
  afterAll(async () => {
    await pushed?.remove();
    await local?.remove();
    await dir?.remove();
  });

  it('pull --swarm makes every node pull the image (pinned to its digest), per node, and leaves no service or task container', async () => {
    const plugins = await writeRegistry(dir.path, [{ name: 'fresh', image: pushed.ref, cmd: 'true' }]);
    const run = await runPmt(['pull', '--swarm', '-r', plugins, '-c', config], { cwd: dir.path, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${pushed.ref}: pulling on the swarm's nodes (credentials: RemoteRepoUser/RemoteRepoPass)\n`);
    expect(run.stdout).toContain(`  pmtlab-n1: has ${pushed.pinned}\n`);
    expect(run.stdout).toContain(`  pmtlab-n2: has ${pushed.pinned}\n`);
    expect(run.stdout).toContain('1 pulled on every node, 0 failed\n');
    expect(run.stdout).not.toContain(lab.auth.password);
    for (const node of lab.nodes) await expect(node.docker.getImage(pushed.pinned).inspect()).resolves.toBeDefined();
    expect(await labLeftovers('pmt.pull=pull')).toEqual(NOTHING);
  });

  it('pull --swarm says once when the registry refuses (no login, image missing), says how to publish a built image, and exits 1', async () => {
    const missing = missingLabImage(lab);
    const plugins = await writeRegistry(dir.path, [
      { name: 'fresh', image: pushed.ref, cmd: 'true' },
      { name: 'ghost', image: missing.ref, cmd: 'true' },
    ]);
    const anonymous = join(dir.path, 'anonymous');
    await mkdir(anonymous);
    const run = await runPmt(['pull', '--swarm', '-r', plugins, '-c', await writeConfig(anonymous, {})], { cwd: dir.path, env });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^pmt: cannot pull ${escape(pushed.ref)} on the swarm \\(plugin fresh; credentials: anonymous\\): its registry does not serve it \\(asked through the manager\\): .*(unauthorized|authentication required|no basic auth credentials).* — check the docker_image`));
    expect(lines[1]).toMatch(new RegExp(`^pmt: cannot pull ${escape(missing.ref)} on the swarm \\(plugin ghost; credentials: anonymous\\): its registry does not serve it`));
    expect(run.stdout).toContain('0 pulled on every node, 2 failed\n');
    expect(await labLeftovers('pmt.pull')).toEqual(NOTHING);
  });

  it('doctor --swarm reports the nodes and, per node, which cannot pull an image (here: n2, the layer gone from the registry)', async () => {
    // A second fresh image: n1 pulls it now, then its unique layer is deleted from the registry,
    // so the manager still resolves its digest but n2 cannot fetch it.
    const other = await buildUniqueImage();
    const broken = await pushLabImage(other.image);
    try {
      await pullOnNode(lab, 'n1', broken.pinned);
      await deleteTopLayer(lab, broken);
      const missing = missingLabImage(lab);
      const plugins = await writeRegistry(dir.path, [
        { name: 'fresh', image: pushed.ref, cmd: 'true' },
        { name: 'broken', image: broken.ref, cmd: 'true' },
        { name: 'ghost', image: missing.ref, cmd: 'true' },
      ]);
      const run = await runPmt(['doctor', '--swarm', '--json', '-r', plugins, '-c', config], { cwd: dir.path, env });
      const report = JSON.parse(run.stdout) as { exitCode: number; findings: { check: string; status: string; plugin?: string; message: string; hint?: string }[]; skipped: { checks: string[] }[] };
      expect(run.code).toBe(1);
      expect(report.exitCode).toBe(1);
      const of = (check: string) => report.findings.filter((f) => f.check === check).map((f) => [f.status, f.plugin, f.message].filter(Boolean).join(' | '));
      expect(of('swarm')).toEqual([`ok | ${lab.manager.dockerHost} manages a swarm of 2 node(s), 2 taking tasks; their tasks would reach pmt at ${lab.state.hostAddr}`]);
      expect(of('node')).toEqual([
        expect.stringMatching(/^ok \| pmtlab-n1: manager, ready, active, Docker \S+, \d+(\.\d+)? CPUs, [\d.]+ [MG]iB$/),
        expect.stringMatching(/^ok \| pmtlab-n2: worker, ready, active, Docker \S+, \d+(\.\d+)? CPUs, [\d.]+ [MG]iB$/),
      ]);
      expect(of('pull')).toEqual([
        `ok | fresh | pmtlab-n1, pmtlab-n2: pulled ${pushed.pinned}`,
        `ok | broken | pmtlab-n1: pulled ${broken.pinned}`,
        expect.stringMatching(new RegExp(`^fail \\| broken \\| pmtlab-n2: cannot pull ${escape(broken.ref)}: .*No such image`)),
        expect.stringMatching(new RegExp(`^fail \\| ghost \\| no node can pull ${escape(missing.ref)}: its registry does not serve it \\(asked through the manager\\): .*manifest unknown`)),
      ]);
      expect(report.findings.find((f) => f.plugin === 'broken' && f.status === 'fail')?.hint).toContain('this node reaches the registry');
      expect(report.skipped.flatMap((s) => s.checks)).toEqual(expect.arrayContaining(['files', 'image', 'shell', 'curl']));
      expect(await labLeftovers('pmt.pull=doctor')).toEqual(NOTHING);
    } finally {
      await broken.remove();
      await other.remove();
    }
  });

  it('doctor --swarm against a worker fails the swarm check, saying to use a manager, and runs no pull check', async () => {
    const plugins = await writeRegistry(dir.path, [{ name: 'fresh', image: pushed.ref, cmd: 'true' }]);
    const run = await runPmt(['doctor', '--swarm', '--json', '-r', plugins, '-c', config], { cwd: dir.path, env: { DOCKER_HOST: lab.worker.dockerHost } });
    expect(run.code).toBe(1);
    const findings = (JSON.parse(run.stdout) as { findings: { check: string; status: string; message: string; hint?: string }[] }).findings;
    expect(findings.find((f) => f.check === 'swarm')).toMatchObject({ status: 'fail', message: expect.stringContaining('is a swarm worker, not a manager'), hint: expect.stringContaining('manager') });
    expect(findings.filter((f) => f.check === 'pull' || f.check === 'node')).toEqual([]);
  });

  it('doctor --swarm fails the swarm check when pmt cannot listen on the advertise address, as a scan would, and runs no pull check', async () => {
    const plugins = await writeRegistry(dir.path, [{ name: 'fresh', image: pushed.ref, cmd: 'true' }]);
    const foreignDir = join(dir.path, 'foreign');
    await mkdir(foreignDir, { recursive: true });
    // 10.231.77.99 is on the lab's network but no address of this machine: binding it fails here, nothing is sent.
    const foreign = await writeConfig(foreignDir, { RemoteRepoUser: lab.auth.username, RemoteRepoPass: lab.auth.password, RestAdvertiseAddr: '10.231.77.99' });
    const run = await runPmt(['doctor', '--swarm', '--json', '-r', plugins, '-c', foreign], { cwd: dir.path, env });
    expect(run.code).toBe(1);
    const findings = (JSON.parse(run.stdout) as { findings: { check: string; status: string; message: string; hint?: string }[] }).findings;
    expect(findings.find((f) => f.check === 'swarm')).toEqual({
      check: 'swarm',
      status: 'fail',
      message: 'pmt could not listen on 10.231.77.99, the address swarm tasks reach it at: listen EADDRNOTAVAIL: address not available 10.231.77.99',
      hint: expect.stringContaining('set RestAdvertiseAddr (or --rest-advertise-addr) to an IP address of this machine'),
    });
    expect(findings.filter((f) => f.check === 'pull' || f.check === 'node')).toEqual([]);
    expect(await labLeftovers('pmt.pull=doctor')).toEqual(NOTHING);
  });

  it('a Ctrl-C during pull --swarm removes its service before pmt exits (130), leaving nothing on any node', async () => {
    const fresh = await buildUniqueImage();
    const image = await pushLabImage(fresh.image);
    try {
      const plugins = await writeRegistry(dir.path, [{ name: 'fresh', image: image.ref, cmd: 'true' }]);
      const child = spawnPmt(['pull', '--swarm', '-r', plugins, '-c', config], { cwd: dir.path, env });
      let exited = false;
      void child.result.then(() => (exited = true));
      await until(async () => exited || (await labState('pmt.pull=pull')).services.length > 0, { intervalMs: 50 });
      expect(child.stderrText()).toBe('');
      child.kill('SIGINT');
      const run = await child.result;
      expect(run.code).toBe(130);
      expect(run.stderr).toContain('pmt: Received SIGINT; the pull was stopped and its swarm service removed');
      expect(await labLeftovers('pmt.pull=pull')).toEqual(NOTHING);
    } finally {
      await image.remove();
      await fresh.remove();
    }
  });
});

const NOTHING = { containers: [], services: [], secrets: [] };

/** What carries the label on the lab after task containers had time to go (they go after their service, asynchronously). */
async function labLeftovers(label: string): Promise<Omit<LabObjects, 'volumes'>> {
  let left = await labState(label);
  const deadline = Date.now() + 30_000;
  while (left.containers.length + left.services.length + left.secrets.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    left = await labState(label);
  }
  // The pull checks mount no volumes (labState also lists every dangling volume of the nodes, others' too).
  return { containers: left.containers, services: left.services, secrets: left.secrets };
}

async function pullOnNode(lab: SwarmLab, name: string, reference: string): Promise<void> {
  const node = lab.nodes.find((n) => n.name === name)!;
  const stream = await node.docker.pull(reference, { authconfig: lab.auth });
  await new Promise((resolve, reject) => node.docker.modem.followProgress(stream, (error: Error | null, result: unknown) => (error ? reject(error) : resolve(result))));
}

/** Deletes the image's last layer blob from the lab registry (its manifest stays). */
async function deleteTopLayer(lab: SwarmLab, image: PushedLabImage): Promise<void> {
  const repository = image.ref.slice(lab.state.registry.pull.length + 1, image.ref.lastIndexOf(':'));
  const headers = { authorization: `Basic ${Buffer.from(`${lab.auth.username}:${lab.auth.password}`).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' };
  const manifest = (await (await fetch(`http://${lab.state.registry.push}/v2/${repository}/manifests/${image.digest}`, { headers })).json()) as { layers: { digest: string }[] };
  const layer = manifest.layers.at(-1)!.digest;
  const answer = await fetch(`http://${lab.state.registry.push}/v2/${repository}/blobs/${layer}`, { method: 'DELETE', headers });
  if (answer.status !== 202) throw new Error(`deleting layer ${layer} of ${image.ref} from the lab registry: HTTP ${answer.status}`);
}


function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
