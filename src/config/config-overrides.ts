import path from 'node:path';
import type { Problem } from '../errors.js';
import { advertiseAddrProblem } from './advertise-addr.js';
import type { Config } from './config.js';
import { DEFAULT_CONFIG, MINIMUM_SIZES } from './config-defaults.js';
import { normalizeServerUrl, serverUrlProblem } from './server-url.js';

/** Values the CLI sets from flags; an undefined field means "flag not given". */
export type ConfigOverrides = { readonly [K in Exclude<keyof Config, 'source'>]?: Config[K] };

/** The environment as a plain record (e.g. `process.env`), passed in so the core never reads globals. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface Applied {
  readonly config: Config;
  readonly problems: readonly Problem[];
}

/**
 * REMOTEREPO_USER / REMOTEREPO_PASS replace the credentials and PMT_SERVER_URL the server, as in
 * the original. A variable that is unset or empty changes nothing.
 */
export function applyEnvironment(config: Config, env: Environment): Applied {
  const problems: Problem[] = [];
  const next = { ...config };
  if (env.REMOTEREPO_USER) next.remoteRepoUser = env.REMOTEREPO_USER;
  if (env.REMOTEREPO_PASS) next.remoteRepoPass = env.REMOTEREPO_PASS;
  if (env.PMT_PROVENANCE_KEY) next.provenanceKey = env.PMT_PROVENANCE_KEY;
  const url = env.PMT_SERVER_URL;
  if (url) {
    const problem = serverUrlProblem(url);
    if (problem === undefined) next.serverUrl = normalizeServerUrl(url);
    else problems.push({ file: 'environment variable PMT_SERVER_URL', message: problem });
  }
  return { config: next, problems };
}

/**
 * Flag values win over file and environment. Relative directories are resolved against `cwd`, where
 * the user typed them; `serverUrl: ''` turns uploading off.
 */
export function applyOverrides(config: Config, overrides: ConfigOverrides, cwd: string): Applied {
  const problems: Problem[] = [];
  const report = (field: string, message: string): void => {
    problems.push({ file: `command-line option ${field}`, message });
  };
  const next: Record<string, unknown> = { ...config };
  // Only Config fields: the CLI may pass its whole options object.
  for (const field of Object.keys(DEFAULT_CONFIG)) {
    const value = (overrides as Record<string, unknown>)[field];
    if (field !== 'source' && value !== undefined) next[field] = value;
  }
  // As in the file, an empty credential or key means "not set".
  if (overrides.provenanceKey === '') next.provenanceKey = undefined;
  if (overrides.remoteRepoUser === '') next.remoteRepoUser = undefined;
  if (overrides.remoteRepoPass === '') next.remoteRepoPass = undefined;
  for (const field of ['pathDirResults', 'pathDirLogs'] as const) {
    const dir = overrides[field];
    if (dir) next[field] = path.resolve(cwd, dir);
  }
  const advertise = overrides.restAdvertiseAddr;
  const advertiseProblem = advertise ? advertiseAddrProblem(advertise) : undefined;
  if (advertiseProblem !== undefined) problems.push({ file: 'command-line option --rest-advertise-addr', message: advertiseProblem });
  const url = overrides.serverUrl;
  if (url !== undefined) {
    const problem = url === '' ? undefined : serverUrlProblem(url);
    if (problem !== undefined) report('serverUrl', problem);
    else next.serverUrl = url === '' ? undefined : normalizeServerUrl(url);
  }
  for (const [field, minimum] of Object.entries(MINIMUM_SIZES)) {
    const size = overrides[field as keyof typeof MINIMUM_SIZES];
    if (size !== undefined && !(Number.isSafeInteger(size) && size >= minimum)) {
      report(field, `${size} is not a whole number of bytes ≥ ${minimum}`);
    }
  }
  return { config: next as unknown as Config, problems };
}
