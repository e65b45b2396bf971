import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/engine-state.js';
import { startEngineProxy, type EngineProxy } from '../support/engine-proxy.js';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { readProvenanceRecord } from '../support/provenance-record.js';
import { scanJson } from '../support/scan-json.js';
import { TestImages } from '../support/test-images.js';

// A scan asks the engine whether it answers with GET /_ping (~1 ms) and for its version, which only
// the report and the provenance record need, once its containers have run: the engine runs runc and
// its init to answer GET /version (~10 ms) and GET /info, and that work competed with the start of
// the first container.

describe('what a scan asks the engine besides its containers', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: string;
  beforeAll(async () => {
    dir = await tempDir('pmt-engine-version-');
    repo = await copySampleRepo(dir.path);
    await writeConfig(dir.path, { PathDirLogs: 'logs' });
    registry = await writeRegistry(dir.path, [{ name: 'lister', image: TestImages.curl, cmd: 'ls /input > /result/result.txt' }]);
  });
  afterAll(async () => {
    await dir.remove();
  });

  const scanThrough = async (proxy: EngineProxy, out: string) => {
    const run = await scanJson(['-i', repo, '-r', registry, '-p', 'lister', '-o', join(dir.path, out), '--no-upload', '--docker-host', proxy.dockerHost], { cwd: dir.path });
    const { statement } = await readProvenanceRecord(join(dir.path, out));
    return { ...run, engine: statement.predicate.runDetails.builder.builderDependencies[0].annotations as Record<string, string> };
  };

  it('is asked after the containers ran, not before the first one starts, and recorded', async () => {
    const proxy = await startEngineProxy(dir.path, () => undefined);
    try {
      const { code, engine } = await scanThrough(proxy, 'results-1');
      expect(code).toBe(0);
      const version = await docker.version();
      expect(engine).toMatchObject({ version: version.Version, apiVersion: version.ApiVersion });
      const asked = proxy.requests;
      expect(asked[0]).toBe('GET /_ping');
      const start = asked.findIndex((r) => /^POST \/containers\/[0-9a-f]+\/start$/.test(r));
      expect(start).toBeGreaterThan(0);
      expect(asked.indexOf('GET /version')).toBeGreaterThan(start);
      // The sweep of dead runs' leftovers asks whether this engine is a swarm manager (it is not)
      // with GET /swarm; GET /info, which the engine answers by running runc and its init, only
      // for the engine's clock once its listings show objects that need one (other tests' here).
      const swarm = asked.indexOf('GET /swarm');
      expect(swarm).toBeGreaterThan(start);
      const info = asked.indexOf('GET /info');
      if (info >= 0) expect(info).toBeGreaterThan(Math.max(asked.indexOf('GET /containers/json'), asked.indexOf('GET /volumes')));
    } finally {
      await proxy.close();
    }
  });

  it("with several plugins, the run's deferred engine work (the sweep of dead runs, the probe's removal) waits until every container has been asked to start", async () => {
    // Three plugins that take a second: none is done before the last one runs its command, so the
    // deferred work waits for the wave, not for the first plugin's end.
    const waveDir = join(dir.path, 'wave');
    await mkdir(waveDir);
    const wave = await writeRegistry(waveDir, [0, 1, 2].map((i) => ({ name: `waver-${i}`, image: TestImages.curl, cmd: 'sleep 1; echo ok > /result/result.txt' })));
    const proxy = await startEngineProxy(dir.path, () => undefined);
    try {
      const run = await scanJson(['-i', repo, '-r', wave, '-p', 'all', '--concurrency', '3', '-o', join(dir.path, 'results-wave'), '--no-upload', '--no-cache', '--docker-host', proxy.dockerHost], { cwd: dir.path });
      expect(run.code).toBe(0);
      expect(run.report.plugins.map((p) => [p.status, p.transport])).toEqual([0, 1, 2].map(() => ['succeeded', 'rest']));
      const asked = proxy.requests;
      const starts = asked.flatMap((r, i) => (/^POST \/containers\/[0-9a-f]+\/start$/.test(r) ? [i] : []));
      expect(starts).toHaveLength(3);
      const lastStart = Math.max(...starts);
      // The file-sharing probe's container is the one whose files were asked about.
      const probe = /^HEAD \/containers\/([0-9a-f]+)\/archive$/.exec(asked.find((r) => r.startsWith('HEAD ')) ?? '')?.[1];
      expect(probe).toBeDefined();
      for (const deferred of ['GET /swarm', 'GET /containers/json', 'GET /volumes', `DELETE /containers/${probe}`]) {
        expect(asked.indexOf(deferred), deferred).toBeGreaterThan(lastStart);
      }
    } finally {
      await proxy.close();
    }
  });

  it('an engine that will not tell its version still gets its scan done: the record says "unknown", with a warning', async () => {
    const proxy = await startEngineProxy(dir.path, (method, path) => (method === 'GET' && path.split('?')[0] === '/version' ? 500 : undefined));
    try {
      // scanJson also checks that no container of the run is left.
      const { code, report, engine, stderr } = await scanThrough(proxy, 'results-2');
      expect(code).toBe(0);
      expect(report.plugins[0]).toMatchObject({ status: 'succeeded', results: [expect.objectContaining({ name: 'result.txt' })] });
      expect(engine).toMatchObject({ version: 'unknown', apiVersion: 'unknown' });
      expect(stderr).toContain('Could not ask the Docker engine for its version');
      expect(proxy.requests).toContain('GET /version');
    } finally {
      await proxy.close();
    }
  });
});
