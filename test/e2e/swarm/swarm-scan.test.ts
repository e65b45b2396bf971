import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleRepo, tempDir, writeTree } from '../../support/fixtures.js';
import { readProvenanceRecord } from '../../support/provenance-record.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson, type PluginJson } from '../../support/scan-json.js';
import { buildUniqueImage, EMPTY_LAB, labState, pushLabImage, swarmLab, waitForLabEmpty, type SwarmLab } from '../../support/swarm-lab.js';
import { labPlugin, swarmEnv, writeSwarmRegistry } from '../../support/swarm-registry.js';

/** `pmt scan --swarm` on the two-node lab: placement, results, logs and what is left afterwards. */
describe('pmt scan --swarm', () => {
  let lab: SwarmLab;
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;

  beforeAll(async () => {
    lab = await swarmLab();
    dir = await tempDir('pmt-swarm-scan-');
    repo = await copySampleRepo(dir.path);
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('places plugins on both nodes as their constraints ask, names the node, and leaves nothing on either', async () => {
    const registry = await writeSwarmRegistry(dir.path, 'placed.yaml', [
      labPlugin(lab, { name: 'on-manager', cmd: 'cat /proc/sys/kernel/hostname > /result/result.txt', constraints: ['node.labels.pmt.lab.node==n1'] }),
      labPlugin(lab, { name: 'on-worker', cmd: 'cat /proc/sys/kernel/hostname > /result/result.txt', constraints: [`node.id==${lab.worker.id}`] }),
    ]);
    const { code, report } = await scanJson(['--swarm', '-i', repo, '-r', registry, '-p', 'all', '-o', join(dir.path, 'placed-out'), '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

    expect(code).toBe(0);
    const byName = Object.fromEntries(report.plugins.map((p) => [p.name, p as PluginJson & { node: string; service: string }]));
    expect(byName['on-manager']).toMatchObject({ status: 'succeeded', node: lab.manager.hostname, service: `pmt-${report.runId}-0`, transport: 'rest' });
    expect(byName['on-worker']).toMatchObject({ status: 'succeeded', node: lab.worker.hostname, service: `pmt-${report.runId}-1` });
    // Each ran where the scheduler put it: the task's own host name says so.
    expect(await readFile(byName['on-manager']!.results[0]!.localPath, 'utf8')).toBe(`${lab.manager.hostname}\n`);
    expect(await readFile(byName['on-worker']!.results[0]!.localPath, 'utf8')).toBe(`${lab.worker.hostname}\n`);
    // The provenance record says where each ran.
    const { statement } = await readProvenanceRecord<{
      predicate: { buildDefinition: { internalParameters: { engine?: string } }; runDetails: { byproducts: { name: string; annotations: { node?: string; service?: string } }[] } };
    }>(join(dir.path, 'placed-out'));
    expect(statement.predicate.buildDefinition.internalParameters.engine).toBe('swarm');
    expect(statement.predicate.runDetails.byproducts.map((b) => [b.name, b.annotations.node, b.annotations.service])).toEqual([
      ['on-manager', lab.manager.hostname, `pmt-${report.runId}-0`],
      ['on-worker', lab.worker.hostname, `pmt-${report.runId}-1`],
    ]);
    expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
  });

  it('sends the registry login with the service: a worker pulls an image it never had from the login-only registry', async () => {
    const local = await buildUniqueImage();
    const pushed = await pushLabImage(local.image);
    try {
      const registry = await writeSwarmRegistry(dir.path, 'fresh.yaml', [
        labPlugin(lab, { name: 'fresh', docker_image: pushed.ref, cmd: 'test -f /pmt-nonce && echo pulled > /result/result.txt', constraints: [`node.id==${lab.worker.id}`] }),
      ]);
      const { code, report } = await scanJson(['--swarm', '-i', repo, '-r', registry, '-p', 'fresh', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

      expect(code).toBe(0);
      expect(report.plugins[0]).toMatchObject({ status: 'succeeded', node: lab.worker.hostname });
      // The worker fetched the pinned manifest itself, and the registry accepted its login for it.
      const manifest = `/v2/${pushed.ref.slice(pushed.ref.indexOf('/') + 1, pushed.ref.lastIndexOf(':'))}/manifests/${pushed.digest}`;
      const pulls = (await readFile(lab.state.registry.pullLog, 'utf8'))
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, string>)
        .filter((e) => e.msg === 'authorized request' && e['http.request.uri'] === manifest);
      expect(pulls.map((e) => e['http.request.remoteaddr']?.split(':')[0])).toContain(lab.worker.addr);
      expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
    } finally {
      await pushed.remove();
      await local.remove();
    }
  });

  it('writes each step into the plugin log as a local run does, and fails a non-zero command with its stderr', async () => {
    const registry = await writeSwarmRegistry(dir.path, 'steps.yaml', [
      labPlugin(lab, { name: 'talker', cmd: 'echo out-line; echo err-line >&2; printf x > /result/result.txt' }),
      labPlugin(lab, { name: 'failer', cmd: 'echo almost; echo broken-thing >&2; exit 3', constraints: ['node.role==worker'] }),
    ]);
    const { code, report } = await scanJson(['--swarm', '-i', repo, '-r', registry, '-p', 'all', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

    expect(code).toBe(1);
    const [talker, failer] = report.plugins;
    expect(talker?.status).toBe('succeeded');
    const log = await readFile(talker!.logPath, 'utf8');
    expect(log).toContain('started: /bin/sh -c echo test; curl -V\nstdout of command /bin/sh -c echo test; curl -V\ntest\ncurl ');
    expect(log).toContain(
      'stdout of command /bin/sh -c echo out-line; echo err-line >&2; printf x > /result/result.txt\nout-line\n' +
        'stderr of command /bin/sh -c echo out-line; echo err-line >&2; printf x > /result/result.txt\nerr-line\npmt: exit status 0 after ',
    );
    expect(log).toMatch(/pmt: exit status 0 after [\d.]+s: curl -F result=@\/result\/<file> … \/save for result.txt\n$/);
    expect(failer).toMatchObject({ status: 'failed', exitCode: 3, node: lab.worker.hostname });
    expect(failer?.error?.message).toBe('command exited with code 3: broken-thing');
    expect(await readFile(failer!.logPath, 'utf8')).toContain('pmt: exit status 3 after ');
    expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
  });

  it('ships the input without what .gitignore excludes when asked, and the cmd sees it owned by nobody, read-only', async () => {
    const input = join(dir.path, 'ignoring');
    await writeTree(input, { '.gitignore': 'build/\n', 'keep.txt': 'kept\n', 'build/out.bin': 'ignored\n' });
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['init', '-q', input]);
    const registry = await writeSwarmRegistry(dir.path, 'input.yaml', [
      labPlugin(lab, { name: 'lister', cmd: 'cd /input && find . | sort > /result/result.txt; stat -c "%U %A" . keep.txt >> /result/result.txt' }),
    ]);
    const { code, report } = await scanJson(['--swarm', '--respect-gitignore', '-i', input, '-r', registry, '-p', 'lister', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

    expect(code).toBe(0);
    expect(await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8')).toBe(['.', './.gitignore', './keep.txt', 'nobody drwxr-xr-x', 'nobody -rw-r--r--', ''].join('\n'));
    expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
  });

  it('a non-root plugin with a read-only root filesystem writes /result and runs programs from /tmp, as locally', async () => {
    const registry = await writeSwarmRegistry(dir.path, 'ro.yaml', [
      labPlugin(lab, {
        name: 'confined',
        user: '1000:1000',
        read_only_rootfs: true,
        cmd: 'id -u > /result/result.txt; printf "#!/bin/sh\\necho from-tmp\\n" > /tmp/x.sh && chmod +x /tmp/x.sh && /tmp/x.sh >> /result/result.txt; touch /etc/nope 2>/dev/null || echo root-read-only >> /result/result.txt',
      }),
    ]);
    const { code, report } = await scanJson(['--swarm', '-i', repo, '-r', registry, '-p', 'confined', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

    expect(code).toBe(0);
    expect(await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8')).toBe('1000\nfrom-tmp\nroot-read-only\n');
    expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
  });

  it('a second run of the same image and input is served from the cache, without a service', async () => {
    const registry = await writeSwarmRegistry(dir.path, 'cached.yaml', [labPlugin(lab, { name: 'cacheable', cmd: 'date +%s%N > /result/result.txt' })]);
    const env = { ...swarmEnv(lab), XDG_CACHE_HOME: join(dir.path, 'cache-home') };
    const first = await scanJson(['--swarm', '-i', repo, '-r', registry, '-p', 'cacheable'], { cwd: dir.path, env });
    const second = await scanJson(['--swarm', '-i', repo, '-r', registry, '-p', 'cacheable'], { cwd: dir.path, env });

    expect([first.code, second.code]).toEqual([0, 0]);
    expect(first.report.plugins[0]).toMatchObject({ status: 'succeeded', transport: 'rest' });
    expect(second.report.plugins[0]).toMatchObject({ status: 'cached', transport: 'cache' });
    expect(second.report.plugins[0]!.results[0]!.sha256).toBe(first.report.plugins[0]!.results[0]!.sha256);
    expect(await labState(`pmt.run=${second.report.runId}`)).toEqual(EMPTY_LAB);
    expect(await waitForLabEmpty(first.report.runId)).toEqual(EMPTY_LAB);
  });

  it('--dry-run shows the service spec each plugin would get, and creates nothing', async () => {
    const registry = await writeSwarmRegistry(dir.path, 'plan.yaml', [
      labPlugin(lab, { name: 'planned', cmd: 'true', constraints: ['node.role==worker'], resources: { memory: '256MiB' } }),
    ]);
    const args = ['scan', '--swarm', '--dry-run', '-i', repo, '-r', registry, '-p', 'planned'];
    const text = await runPmt(args, { cwd: dir.path, env: swarmEnv(lab) });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Swarm: one service per plugin; tasks reach pmt at ${lab.state.hostAddr}`);
    expect(text.stdout).toContain('"Name": "pmt-<run id>-0"');
    expect(text.stdout).toContain('Dry run: nothing was created, pulled or executed.');

    const json = await runPmt([...args, '--json'], { cwd: dir.path, env: swarmEnv(lab) });
    const plan = JSON.parse(json.stdout) as { mode: string; plugins: { service: { Mode: unknown; TaskTemplate: Record<string, any> } }[] };
    expect(plan.mode).toBe('swarm');
    const service = plan.plugins[0]!.service;
    expect(service.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(service.TaskTemplate.Placement).toEqual({ Constraints: ['node.role==worker'] });
    expect(service.TaskTemplate.Resources).toEqual({ Limits: { MemoryBytes: 256 * 2 ** 20, Pids: 1024 }, Reservations: { MemoryBytes: 256 * 2 ** 20 } });
    // Mode 0: only the task script (root, with DAC override) reads it; no step under setpriv can.
    expect(service.TaskTemplate.ContainerSpec.Secrets[0].File).toEqual({ Name: 'pmt-token', UID: '0', GID: '0', Mode: 0 });
    expect(JSON.stringify(service)).not.toMatch(/PMT_TOKEN/);
    expect(await labState('pmt.plugin=planned')).toEqual(EMPTY_LAB);
  });

  it('refuses swarm mode on an engine that is no manager, and RestApi false, before making anything', async () => {
    const worker = await runPmt(['scan', '--swarm', '-i', repo, '-p', 'w', '-r', await writeSwarmRegistry(dir.path, 'w.yaml', [labPlugin(lab, { name: 'w', cmd: 'true' })])], {
      cwd: dir.path,
      env: { ...swarmEnv(lab), DOCKER_HOST: lab.worker.dockerHost },
    });
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain(`the Docker engine at ${lab.worker.dockerHost} is a swarm worker, not a manager: only managers create services`);

    // The main engine is in no swarm.
    const outside = await runPmt(['scan', '--swarm', '-i', repo, '-p', 'w', '-r', join(dir.path, 'w.yaml')], { cwd: dir.path, env: { DOCKER_HOST: undefined } });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/the Docker engine at unix:\/\/\S+ is not part of an active swarm \(its swarm state: inactive\)/);

    await writeTree(dir.path, { 'no-rest.json': JSON.stringify({ RestApi: false }) });
    const noRest = await runPmt(['scan', '--swarm', '-c', 'no-rest.json', '-i', repo], { cwd: dir.path, env: swarmEnv(lab) });
    expect(noRest.code).toBe(2);
    expect(noRest.stderr).toContain('swarm mode: RestApi is false, but swarm mode needs the REST endpoint');

    const loopback = await runPmt(['scan', '--swarm', '--rest-advertise-addr', '127.0.0.1', '-i', repo], { cwd: dir.path, env: swarmEnv(lab) });
    expect(loopback.code).toBe(2);
    expect(loopback.stderr).toContain('RestAdvertiseAddr 127.0.0.1 is a loopback address: swarm tasks on other nodes cannot reach it');

    // An address that is not this machine's: nothing can listen there, and nothing is created.
    const foreign = await scanJson(['--swarm', '--rest-advertise-addr', '10.231.77.99', '-i', repo, '-p', 'w', '-r', join(dir.path, 'w.yaml')], { cwd: dir.path, env: swarmEnv(lab) });
    expect(foreign.code).toBe(1);
    expect(foreign.report.plugins[0]?.error?.message).toBe('pmt could not listen on 10.231.77.99, the address swarm tasks reach it at: listen EADDRNOTAVAIL: address not available 10.231.77.99');
    expect(await labState(`pmt.run=${foreign.report.runId}`)).toEqual(EMPTY_LAB);
  });
});
