import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CacheOrigin } from '../cache/cache-manifest.js';
import type { Config } from '../config/config.js';
import type { PluginReport, ScanReport } from '../engine/scan-report.js';
import { maskCredentials } from '../log/mask-credentials.js';
import { savedResultName } from '../registry/result-name.js';
import { redactSecrets } from '../registry/secret-env.js';
import { CORE_ENGINE_VERSION, PMT_VERSION } from '../version.js';
import { entryAsUsed } from './plugin-entry.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** Defined by docs/provenance.md: what externalParameters, internalParameters and byproducts hold. */
export const PMT_BUILD_TYPE = 'urn:pmt:scan:v1';
export const PMT_BUILDER_ID = 'urn:pmt:cli';

/** An in-toto ResourceDescriptor, as far as pmt fills one in. */
export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
  readonly mediaType?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

export interface Statement {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: typeof SLSA_PROVENANCE_V1;
  readonly predicate: Readonly<Record<string, unknown>>;
}

export interface StatementOptions {
  readonly config: Config;
  /** `--timeout`, which overrides every entry's own. */
  readonly timeoutOverrideMs: number | undefined;
  /** The directory the record is written to: subject names are relative to it. */
  readonly dir: string;
}

/**
 * The in-toto Statement of one run: subjects are the saved result files; the predicate is SLSA
 * provenance v1 with pmt's build type (see docs/provenance.md). Built from the run report alone. Pure.
 */
export function scanStatement(report: ScanReport, options: StatementOptions): Statement {
  const { config } = options;
  const plugins = report.plugins.map(({ outcome }) => ({ ...entryAsUsed(outcome.plugin, config, options.timeoutOverrideMs) }));
  return {
    _type: STATEMENT_TYPE,
    subject: report.plugins.flatMap((p) => subjectsOf(p, options.dir)),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: PMT_BUILD_TYPE,
        externalParameters: {
          input: report.inputDir,
          plugins: plugins.map(({ entry, sha256 }) => ({ entry, digest: { sha256 } })),
        },
        internalParameters: {
          config: config.source,
          restApi: config.restApi,
          restTransport: config.restTransport,
          restFallback: config.restFallback,
          saveResultsLocally: config.saveResultsLocally,
          cache: report.cacheEnabled,
          // Swarm runs only, so that a local run's record stays as it was.
          ...(config.engine === 'swarm' ? { engine: 'swarm' } : {}),
        },
        resolvedDependencies: [inputDescriptor(report), ...report.plugins.flatMap(imageDescriptor)],
      },
      runDetails: {
        builder: {
          id: PMT_BUILDER_ID,
          version: { pmt: PMT_VERSION, coreEngine: CORE_ENGINE_VERSION },
          builderDependencies: [
            {
              name: 'docker-engine',
              uri: maskCredentials(report.engine.endpoint),
              annotations: { version: report.engine.version, apiVersion: report.engine.apiVersion, location: report.engine.local ? 'local' : 'remote' },
            },
          ],
        },
        metadata: { invocationId: report.runId, startedOn: report.startedAt.toISOString(), finishedOn: report.finishedAt.toISOString() },
        byproducts: report.plugins.map((p) => runDescriptor(p, report)),
      },
    },
  };
}

/** Each saved file by its path relative to the record, `/`-separated; files not saved keep pmt's name for them. */
function subjectsOf({ outcome, results }: PluginReport, dir: string): ResourceDescriptor[] {
  return results.map((r) => ({
    name: r.localPath ? relative(dir, r.localPath).split(sep).join('/') : savedResultName(outcome.plugin.name, r.name),
    digest: { sha256: r.sha256 },
  }));
}

function inputDescriptor(report: ScanReport): ResourceDescriptor {
  const { digest, digestError, git, excluded } = report.input;
  // `git:<tree>:<sha256 of names, modes, owners>` or `walk:<sha256>`: the second part is the tree or the walk.
  const [method, value] = digest ? [digest.method, digest.digest.split(':')[1]] : [undefined, undefined];
  return {
    name: 'input',
    uri: pathToFileURL(report.inputDir).href,
    ...(value ? { digest: method === 'git-tree' ? { gitTree: value } : { pmtWalk: value } } : {}),
    annotations: {
      inputDigest: digest?.digest ?? null,
      digestMethod: method ?? null,
      ...(digestError ? { digestError } : {}),
      excluded,
      git: git ? { commit: git.commit, dirty: git.dirty, path: git.path } : null,
    },
  };
}

function imageDescriptor({ outcome }: PluginReport): ResourceDescriptor[] {
  if (!outcome.imageId) return [];
  return [
    {
      name: outcome.plugin.image,
      digest: { sha256: outcome.imageId.replace(/^sha256:/, '') },
      annotations: { plugin: outcome.plugin.name, imageId: outcome.imageId, repoDigests: outcome.repoDigests },
    },
  ];
}

/** What happened to one plugin: status, exit code, times, transport, cache origin, results, uploads. */
function runDescriptor({ outcome, results }: PluginReport, report: ScanReport): ResourceDescriptor {
  const cache = outcome.cache;
  return {
    name: outcome.plugin.name,
    ...(outcome.logPath ? { uri: pathToFileURL(outcome.logPath).href, mediaType: 'text/plain' } : {}),
    annotations: {
      status: outcome.status,
      exitCode: outcome.exitCode ?? null,
      startedOn: outcome.startedAt.toISOString(),
      finishedOn: outcome.finishedAt.toISOString(),
      transport: outcome.transport ?? null,
      // Swarm: where the task ran (the node's hostname) and its service.
      ...(outcome.service === undefined ? {} : { node: outcome.node ?? null, service: outcome.service }),
      cache: cache ? { storedOn: cache.storedAt, origin: originOf(cache.origin) } : null,
      results: results.map((r) => ({ name: r.name, size: r.size, sha256: r.sha256 })),
      error: outcome.error ? { origin: outcome.error.origin, message: maskCredentials(redactSecrets(outcome.error.message, outcome.plugin.env)) } : null,
      uploads: (report.server?.uploads ?? [])
        .filter((u) => u.plugin === outcome.plugin.name)
        .map((u) => ({ file: u.fileName, importer: u.importer, status: u.status, location: u.location ? maskCredentials(u.location) : null })),
    },
  };
}

/** The earlier run that produced cached results, in the record's own naming. */
function originOf(origin: CacheOrigin | undefined): Record<string, unknown> | null {
  if (!origin) return null;
  const { runId, startedAt, finishedAt, exitCode, transport } = origin;
  return { invocationId: runId, startedOn: startedAt, finishedOn: finishedAt, exitCode, transport };
}
