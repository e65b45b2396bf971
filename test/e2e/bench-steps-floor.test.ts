import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../support/engine-state.js';
import { startEngineProxy } from '../support/engine-proxy.js';
import { copySampleRepo, REPO_ROOT, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { scanJson } from '../support/scan-json.js';
import { TestImages } from '../support/test-images.js';

// Issue 15's floors: bench/lib/pmt-steps-client.mjs claims to make a scan's engine and container
// steps exactly as pmt does, with nothing else of pmt. If pmt's requests change (a step added or
// dropped), the benches' "pmt / its own steps" ratio would compare unlike things: this test fails first.

const STEPS_CLIENT = join(REPO_ROOT, 'bench', 'lib', 'pmt-steps-client.mjs');

/** `POST /containers/<id>/start` → `POST /containers/:id/start`; an image's name → `:image`. */
function kind(request: string): string {
  return request.replace(/\/containers\/[0-9a-f]{12,64}\//, '/containers/:id/').replace(/\/containers\/[0-9a-f]{12,64}$/, '/containers/:id').replace(/^GET \/images\/.+\/json$/, 'GET /images/:image/json');
}

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the benches' floor client makes pmt's engine requests (bench/lib/pmt-steps-client.mjs)", () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: string;
  beforeAll(async () => {
    dir = await tempDir('pmt-steps-floor-');
    repo = await copySampleRepo(dir.path);
    await writeConfig(dir.path, { PathDirLogs: 'logs' });
    registry = await writeRegistry(dir.path, [
      { name: 'first', image: TestImages.curl, cmd: 'ls /input > /result/result.txt' },
      { name: 'second', image: TestImages.curl, cmd: 'echo ok > /result/result.txt' },
    ]);
    const { prepareYaml } = (await import(join(REPO_ROOT, 'bench', 'lib', 'yaml-island.mjs'))) as { prepareYaml: () => void };
    prepareYaml();
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('asks the engine for the same requests, of each kind as many times, as pmt scan of the same two plugins', async () => {
    const pmtProxy = await startEngineProxy(dir.path, () => undefined);
    let pmtAsked: string[];
    try {
      const { code, report } = await scanJson(['-i', repo, '-r', registry, '-p', 'all', '--concurrency', '2', '--no-cache', '--no-upload', '-o', join(dir.path, 'pmt-out'), '--docker-host', pmtProxy.dockerHost], { cwd: dir.path });
      expect(code).toBe(0);
      expect(report.plugins.map((p) => [p.status, p.transport])).toEqual([
        ['succeeded', 'rest'],
        ['succeeded', 'rest'],
      ]);
      pmtAsked = pmtProxy.requests.map(kind);
    } finally {
      await pmtProxy.close();
    }

    const stepsDir = await tempDir('pmt-steps-floor-client-');
    try {
      const stepsProxy = await startEngineProxy(stepsDir.path, () => undefined);
      let stepsAsked: string[];
      let runId: string;
      try {
        const out = join(stepsDir.path, 'out');
        const run = await runNode([STEPS_CLIENT, registry, repo, '--concurrency', '2', '--out', out], { DOCKER_HOST: stepsProxy.dockerHost });
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        runId = run.stdout.trim(); // the client prints its run's id, which its objects carry
        expect(runId).toMatch(/^[0-9a-f]{12}$/);
        // Each upload reached the client's endpoint with the plugin's result in it.
        const uploads = await readdir(out);
        expect(uploads).toHaveLength(2);
        for (const upload of uploads) expect(await readFile(join(out, upload), 'utf8')).toContain('filename="result.txt"');
        stepsAsked = stepsProxy.requests.map(kind);
      } finally {
        await stepsProxy.close();
      }
      // The same multiset: each kind of request as many times. Left out: what pmt's sweep asks
      // only because other runs' objects are on the engine (tests running beside this one): the
      // engine's clock (GET /info) and removals of what dead runs left, among the removals.
      const ownSteps = (asked: string[]): string[] => asked.filter((r) => r !== 'GET /info' && !r.startsWith('DELETE ')).sort();
      expect(ownSteps(stepsAsked)).toEqual(ownSteps(pmtAsked));
      const removals = (asked: string[]): number => asked.filter((r) => r === 'DELETE /containers/:id').length;
      expect(removals(stepsAsked)).toBe(3); // the probe's container and the two plugins'
      expect(removals(pmtAsked)).toBeGreaterThanOrEqual(3);
      expect(stepsAsked.filter((r) => r.startsWith('DELETE ') && r !== 'DELETE /containers/:id')).toEqual([]);
      // Both start with the ping and end with the listing of what the run left.
      expect(stepsAsked[0]).toBe('GET /_ping');
      expect(stepsAsked.at(-1)).toBe(pmtAsked.at(-1));
      // Nothing of the client's run is left on the engine: no container, the probe's included, and
      // no /result volume.
      expect(await containersWithLabels(`pmt.run=${runId}`)).toEqual([]);
      const volumes = await docker.listVolumes({ filters: JSON.stringify({ label: [`pmt.run=${runId}`] }) });
      expect(volumes.Volumes ?? []).toEqual([]);
    } finally {
      await stepsDir.remove();
    }
  });
});
