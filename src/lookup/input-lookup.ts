import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { userConfigDir } from './user-config-dir.js';

/** The config file looked for in each directory of the lookup order. */
export const CONFIG_FILE_NAME = 'core_engine_config.json';
/** The registry file looked for in each directory of the lookup order. */
export const REGISTRY_FILE_NAME = 'plugins.yaml';
/** The registry bundled with pmt, next to its package.json (its `build` directories are in plugins/). */
export const BUNDLED_REGISTRY = join(PACKAGE_ROOT, REGISTRY_FILE_NAME);

/** Why a file was chosen: the level of the lookup order that found it. */
export type LookupOrigin = 'flag' | 'env' | 'cwd' | 'user' | 'bundled' | 'defaults';

export interface LookedUp {
  /** Absolute path; undefined only for `defaults` (no config file anywhere). */
  readonly file: string | undefined;
  readonly origin: LookupOrigin;
  /** For people: `-r`, `PMT_REGISTRY`, `working directory`, `user config dir`, `bundled with pmt`, `built-in defaults`. */
  readonly why: string;
}

export interface LookupRequest {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** `-r FILE` / `-c FILE`, relative to cwd. */
  readonly flag?: string | undefined;
  /** Where the bundled registry is; tests may point elsewhere. */
  readonly bundledRegistry?: string;
}

interface Candidate {
  readonly file: string;
  readonly origin: LookupOrigin;
  readonly why: string;
}

/**
 * Which registry a command uses: `-r FILE`, else `PMT_REGISTRY`, else `./plugins.yaml` (a project's
 * own), else `plugins.yaml` in the user config dir, else the one bundled with pmt. A file named by
 * flag or env must exist (it is read and reported as is); the others are used when present.
 */
export async function lookUpRegistry(request: LookupRequest): Promise<LookedUp> {
  const explicit = explicitCandidate(request, '-r', 'PMT_REGISTRY');
  if (explicit) return explicit;
  const candidates = implicitCandidates(request, REGISTRY_FILE_NAME);
  candidates.push({ file: request.bundledRegistry ?? BUNDLED_REGISTRY, origin: 'bundled', why: 'bundled with pmt' });
  const found = await firstExisting(candidates);
  if (found) return found;
  throw new ConfigError(
    [{ file: REGISTRY_FILE_NAME, message: `no registry found (looked for ${candidates.map((c) => c.file).join(', ')})` }],
    'pass a registry with -r FILE or PMT_REGISTRY, or reinstall pmt (its bundled plugins.yaml is missing)',
  );
}

/**
 * Which config file a command uses: `-c FILE`, else `PMT_CONFIG`, else `./core_engine_config.json`,
 * else `core_engine_config.json` in the user config dir, else none (built-in defaults). Never a file
 * of pmt's own install: a config says where results and credentials go, which is the user's choice.
 */
export async function lookUpConfig(request: LookupRequest): Promise<LookedUp> {
  const explicit = explicitCandidate(request, '-c', 'PMT_CONFIG');
  if (explicit) return explicit;
  return (await firstExisting(implicitCandidates(request, CONFIG_FILE_NAME))) ?? { file: undefined, origin: 'defaults', why: 'built-in defaults' };
}

function explicitCandidate(request: LookupRequest, flag: string, envName: string): LookedUp | undefined {
  if (request.flag !== undefined) return { file: resolve(request.cwd, request.flag), origin: 'flag', why: flag };
  const fromEnv = request.env[envName];
  if (fromEnv) return { file: resolve(request.cwd, fromEnv), origin: 'env', why: envName };
  return undefined;
}

function implicitCandidates(request: LookupRequest, name: string): Candidate[] {
  return [
    { file: join(resolve(request.cwd), name), origin: 'cwd', why: 'working directory' },
    { file: join(userConfigDir(request.env), name), origin: 'user', why: 'user config dir' },
  ];
}

async function firstExisting(candidates: readonly Candidate[]): Promise<Candidate | undefined> {
  for (const candidate of candidates) {
    const info = await stat(candidate.file).catch(() => undefined);
    if (info?.isFile()) return candidate;
  }
  return undefined;
}
