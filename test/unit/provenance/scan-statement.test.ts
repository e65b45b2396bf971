import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PluginOutcome } from '../../../src/agent/plugin-outcome.js';
import { canonicalJson } from '../../../src/cache/canonical-json.js';
import { DEFAULT_CONFIG } from '../../../src/config/config-defaults.js';
import type { ScanReport } from '../../../src/engine/scan-report.js';
import { scanStatement } from '../../../src/provenance/scan-statement.js';
import type { Plugin } from '../../../src/registry/plugin.js';
import { PLUGIN_DEFAULTS } from '../../support/plugin-defaults.js';

const plugin = (name: string, extra: Partial<Plugin> = {}): Plugin => ({
  ...PLUGIN_DEFAULTS,
  name,
  version: '1.0',
  image: `pmt/${name}:1`,
  shell: '/bin/sh',
  cmd: 'scan',
  results: ['out.json'],
  importer: name,
  ...extra,
});

function outcome(p: Plugin, extra: Partial<PluginOutcome>): PluginOutcome {
  return {
    id: 0,
    plugin: p,
    status: 'succeeded',
    exitCode: 0,
    durationMs: 1000,
    startedAt: new Date('2026-01-01T10:00:01Z'),
    finishedAt: new Date('2026-01-01T10:00:02Z'),
    imageId: `sha256:${'a'.repeat(64)}`,
    repoDigests: [`pmt/${p.name}@sha256:${'b'.repeat(64)}`],
    cache: undefined,
    transport: 'rest',
    results: [],
    logPath: `/logs/${p.name}.log`,
    error: undefined,
    ...extra,
  };
}

const secretPlugin = plugin('secretive', { env: { API_TOKEN: 'tok-123456', LANG: 'C' }, timeoutMs: 60_000 });
const report: ScanReport = {
  runId: 'run1',
  inputDir: '/src/repo',
  input: {
    dir: '/src/repo',
    digest: { digest: `git:${'c'.repeat(40)}:${'f'.repeat(64)}`, method: 'git-tree' },
    digestError: undefined,
    git: { commit: 'd'.repeat(40), dirty: true, path: 'sub/' },
    excluded: ['results'],
  },
  engine: { version: '20.10.24', apiVersion: '1.41', endpoint: 'tcp://127.0.0.1:23750', local: false },
  cacheEnabled: true,
  startedAt: new Date('2026-01-01T10:00:00Z'),
  finishedAt: new Date('2026-01-01T10:00:05Z'),
  resultsDir: '/res',
  logsDir: '/logs',
  plugins: [
    {
      outcome: outcome(plugin('cached-one'), {
        status: 'cached',
        exitCode: undefined,
        transport: 'cache',
        cache: { storedAt: '2025-12-31T00:00:00.000Z', origin: { runId: 'earlier', startedAt: 's', finishedAt: 'f', exitCode: 0, transport: 'archive' } },
      }),
      results: [{ name: 'out.json', size: 3, sha256: 'e'.repeat(64), localPath: '/res/cached-one_out.json' }],
    },
    {
      outcome: outcome(secretPlugin, { status: 'failed', exitCode: 2, error: { origin: 'plugin', message: 'exited with code 2: bad token tok-123456 for http://robot:hunter2@pmt:8081/', hint: undefined } }),
      results: [],
    },
  ],
  server: undefined,
  interruptedBy: undefined,
  durationMs: 5000,
  provenance: undefined,
};

describe('scanStatement', () => {
  const statement = scanStatement(report, { config: DEFAULT_CONFIG, timeoutOverrideMs: undefined, dir: '/res' });
  const predicate = statement.predicate as any;

  it('is an in-toto Statement v1 with SLSA provenance v1 whose subjects are the saved files, by name relative to the record', () => {
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(statement.subject).toEqual([{ name: 'cached-one_out.json', digest: { sha256: 'e'.repeat(64) } }]);
    expect(predicate.buildDefinition.buildType).toBe('urn:pmt:scan:v1');
    expect(predicate.runDetails.metadata).toEqual({ invocationId: 'run1', startedOn: '2026-01-01T10:00:00.000Z', finishedOn: '2026-01-01T10:00:05.000Z' });
    expect(predicate.runDetails.builder.builderDependencies[0]).toMatchObject({ uri: 'tcp://127.0.0.1:23750', annotations: { version: '20.10.24', apiVersion: '1.41', location: 'remote' } });
  });

  it('records each entry as used (defaults filled in, secrets masked) with a digest anyone can recompute from it', () => {
    const [, entry] = predicate.buildDefinition.externalParameters.plugins;
    expect(entry.entry).toMatchObject({ name: 'secretive', timeout: '1m', resources: { memory: DEFAULT_CONFIG.defaultMemoryBytes, cpus: 0, pids: 1024 }, env: { API_TOKEN: '****', LANG: 'C' } });
    expect(entry.digest.sha256).toBe(createHash('sha256').update(canonicalJson(entry.entry)).digest('hex'));
    // A secret appears nowhere, not even in an error message the plugin printed.
    expect(JSON.stringify(statement)).not.toContain('tok-123456');
    expect(JSON.stringify(statement)).not.toContain('hunter2');
    expect(predicate.runDetails.byproducts[1].annotations.error.message).toBe('exited with code 2: bad token **** for http://robot:****@pmt:8081/');
  });

  it('records the input digest and git revision, image ids and repo digests, and where cached results came from', () => {
    const [input, image] = predicate.buildDefinition.resolvedDependencies;
    expect(input).toEqual({
      name: 'input',
      uri: 'file:///src/repo',
      digest: { gitTree: 'c'.repeat(40) },
      annotations: { inputDigest: `git:${'c'.repeat(40)}:${'f'.repeat(64)}`, digestMethod: 'git-tree', excluded: ['results'], git: { commit: 'd'.repeat(40), dirty: true, path: 'sub/' } },
    });
    expect(image).toEqual({
      name: 'pmt/cached-one:1',
      digest: { sha256: 'a'.repeat(64) },
      annotations: { plugin: 'cached-one', imageId: `sha256:${'a'.repeat(64)}`, repoDigests: [`pmt/cached-one@sha256:${'b'.repeat(64)}`] },
    });
    expect(predicate.runDetails.byproducts[0].annotations).toMatchObject({
      status: 'cached',
      exitCode: null,
      transport: 'cache',
      cache: { storedOn: '2025-12-31T00:00:00.000Z', origin: { invocationId: 'earlier', startedOn: 's', finishedOn: 'f', exitCode: 0, transport: 'archive' } },
    });
    expect(predicate.runDetails.byproducts[1].annotations).toMatchObject({ status: 'failed', exitCode: 2, startedOn: '2026-01-01T10:00:01.000Z', finishedOn: '2026-01-01T10:00:02.000Z' });
  });
});
