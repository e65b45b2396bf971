import path from 'node:path';
import { ConfigError, type Problem } from '../errors.js';
import { parseByteSize } from './byte-size.js';
import { parseDuration } from './duration.js';
import { advertiseAddrProblem } from './advertise-addr.js';
import { cpusProblem } from './limits.js';
import type { Config } from './config.js';
import { DEFAULT_CONFIG, MINIMUM_SIZES } from './config-defaults.js';
import { CONFIG_FILE_KEYS, SIZE_KEYS } from './config-schema.js';
import { schemaProblems } from './schema-problems.js';
import { validateConfig } from './schema-validators.generated.js';
import { normalizeServerUrl, serverUrlProblem } from './server-url.js';
import { parseSourceDocument, type SourceDocument } from './source-document.js';
import { sourceValue } from './source-value.js';
import { byPosition, problemAt, withPath } from './source-location.js';

export const CONFIG_HINT =
  'core_engine_config.json keys: RestApi, RestTransport ("unix"|"tcp"), RestFallback, RemoteRepoUser, RemoteRepoPass, ' +
  'SaveResultsLocally, PathDirResults, PathDirLogs, ServerUrl, MaxResultFileBytes, MaxRunResultBytes, FilestoreMemoryBytes, ' +
  'DefaultTimeout ("30m"), DefaultMemory ("2GiB"), DefaultCpus, DefaultPids, CacheDir, ProvenanceKey, Engine ("local"|"swarm"), RestAdvertiseAddr, SwarmPlacementTimeout ("60s")';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Parses core_engine_config.json text over the defaults; absent keys keep their defaults. Relative
 * PathDirResults / PathDirLogs / CacheDir are resolved against `baseDir` (the config file's directory), so a
 * config means the same wherever pmt is started. Throws a ConfigError listing every problem.
 */
export function parseConfig(text: string, file: string, baseDir: string): Config {
  const parsed = parseSourceDocument(text, file);
  if (!parsed.ok) throw new ConfigError(parsed.problems, CONFIG_HINT);
  const { source } = parsed;
  const plain = sourceValue(source);
  if (!plain.ok) throw new ConfigError(plain.problems, CONFIG_HINT);
  const { value } = plain;
  const problems = schemaProblems(source, validateConfig, value);
  const config: Mutable<Config> = { ...DEFAULT_CONFIG, source: file };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    applyFileValues(source, value as Record<string, unknown>, config, baseDir, problems);
  }
  if (problems.length > 0) throw new ConfigError(problems.sort(byPosition), CONFIG_HINT);
  return Object.freeze(config);
}

/** Copies every well-typed value into `config`; wrong types were already reported by the schema. */
function applyFileValues(
  source: SourceDocument,
  file: Record<string, unknown>,
  config: Mutable<Config>,
  baseDir: string,
  problems: Problem[],
): void {
  const report = (key: string, message: string): void => {
    problems.push(problemAt(source, [key], withPath(source, [key], message)));
  };
  const text = (key: string): string | undefined => (typeof file[key] === 'string' ? (file[key] as string) : undefined);
  const flag = (key: string): boolean | undefined => (typeof file[key] === 'boolean' ? (file[key] as boolean) : undefined);
  const dir = (key: string): string | undefined => {
    const value = text(key);
    return value === undefined || value === '' ? value : path.resolve(baseDir, value);
  };

  config.restApi = flag('RestApi') ?? config.restApi;
  config.restFallback = flag('RestFallback') ?? config.restFallback;
  config.saveResultsLocally = flag('SaveResultsLocally') ?? config.saveResultsLocally;
  const transport = text('RestTransport');
  if (transport === 'unix' || transport === 'tcp') config.restTransport = transport;
  // An empty credential means "not set", as in the original's shipped config.
  config.remoteRepoUser = text('RemoteRepoUser') || config.remoteRepoUser;
  config.remoteRepoPass = text('RemoteRepoPass') || config.remoteRepoPass;
  config.pathDirResults = dir('PathDirResults') ?? config.pathDirResults;
  config.pathDirLogs = dir('PathDirLogs') ?? config.pathDirLogs;
  config.cacheDir = dir('CacheDir') ?? config.cacheDir;
  config.provenanceKey = dir('ProvenanceKey') || config.provenanceKey;

  const serverUrl = text('ServerUrl');
  const urlProblem = serverUrl ? serverUrlProblem(serverUrl) : undefined;
  if (urlProblem !== undefined) report('ServerUrl', urlProblem);
  else if (serverUrl !== undefined) config.serverUrl = serverUrl === '' ? undefined : normalizeServerUrl(serverUrl);

  const engine = text('Engine');
  if (engine === 'local' || engine === 'swarm') config.engine = engine;
  const advertise = text('RestAdvertiseAddr');
  const advertiseProblem = advertise ? advertiseAddrProblem(advertise) : undefined;
  if (advertiseProblem !== undefined) report('RestAdvertiseAddr', advertiseProblem);
  else if (advertise !== undefined) config.restAdvertiseAddr = advertise;

  for (const [key, field] of [['DefaultTimeout', 'defaultTimeoutMs'], ['SwarmPlacementTimeout', 'swarmPlacementTimeoutMs']] as const) {
    const timeout = file[key];
    if (typeof timeout !== 'string' && typeof timeout !== 'number') continue;
    const parsed = parseDuration(timeout);
    if ('error' in parsed) report(key, parsed.error);
    else config[field] = parsed.ms;
  }
  if (typeof file.DefaultCpus === 'number') {
    const problem = cpusProblem(file.DefaultCpus, true);
    if (problem !== undefined) report('DefaultCpus', problem);
    else config.defaultCpus = file.DefaultCpus;
  }
  if (typeof file.DefaultPids === 'number' && Number.isInteger(file.DefaultPids) && file.DefaultPids >= 8) config.defaultPids = file.DefaultPids;

  for (const key of SIZE_KEYS) {
    const raw = file[key];
    if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isInteger(raw))) continue;
    const field = CONFIG_FILE_KEYS[key];
    const size = parseByteSize(raw);
    if ('error' in size) report(key, size.error);
    else if (size.bytes < MINIMUM_SIZES[field]) report(key, `must be at least ${MINIMUM_SIZES[field]} byte`);
    else config[field] = size.bytes;
  }
}
