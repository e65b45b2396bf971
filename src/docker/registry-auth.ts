import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryAuth } from './container-runtime.js';

/** The parts of ~/.docker/config.json that hold credentials. */
interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface AuthSources {
  /** Explicit credentials (config file or REMOTEREPO_USER / REMOTEREPO_PASS). */
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** The engine's default registry (its IndexServerAddress), for references without a host. */
  readonly defaultRegistry: string;
  /** Environment used to find the Docker config dir (DOCKER_CONFIG, HOME) and run helpers. */
  readonly env: NodeJS.ProcessEnv;
}

/** Where the credentials came from, for messages; never the secret itself. */
export interface ResolvedAuth {
  readonly auth: RegistryAuth | undefined;
  readonly source: string;
}

/**
 * The registry host of an image reference, as Docker decides it: the first path component when it
 * looks like a host (has a dot or a port, or is localhost), otherwise the engine's default registry.
 */
export function registryOf(reference: string, defaultRegistry: string): string {
  const slash = reference.indexOf('/');
  if (slash > 0) {
    const first = reference.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') return first;
  }
  return defaultRegistry;
}

/** Credentials for pulling `reference`, in order: explicit, Docker config (helpers, auths), anonymous. */
export async function resolveRegistryAuth(reference: string, sources: AuthSources): Promise<ResolvedAuth> {
  const registry = registryOf(reference, sources.defaultRegistry);
  if (sources.username && sources.password) {
    return {
      auth: { username: sources.username, password: sources.password, serveraddress: registry },
      source: 'RemoteRepoUser/RemoteRepoPass',
    };
  }
  const configDir = sources.env.DOCKER_CONFIG ?? join(sources.env.HOME ?? homedir(), '.docker');
  const configPath = join(configDir, 'config.json');
  const config = await readDockerConfig(configPath);
  if (!config) return { auth: undefined, source: 'anonymous' };

  const key = hostKey(registry);
  const helper = Object.entries(config.credHelpers ?? {}).find(([host]) => hostKey(host) === key)?.[1];
  const entry = Object.entries(config.auths ?? {}).find(([host]) => hostKey(host) === key);
  if (helper) return fromHelper(helper, registry, sources.env, `credential helper docker-credential-${helper}`);
  if (entry) {
    const [, value] = entry;
    const decoded = value.auth ? Buffer.from(value.auth, 'base64').toString('utf8') : undefined;
    const colon = decoded?.indexOf(':') ?? -1;
    const username = decoded && colon > 0 ? decoded.slice(0, colon) : value.username;
    const password = decoded && colon > 0 ? decoded.slice(colon + 1) : value.password;
    if (username && password) {
      return { auth: { username, password, serveraddress: registry }, source: `${configPath} (auths)` };
    }
  }
  if (config.credsStore) {
    return fromHelper(config.credsStore, registry, sources.env, `credential store docker-credential-${config.credsStore}`);
  }
  return { auth: undefined, source: 'anonymous' };
}

/** `https://host/v1/` and `host` name the same registry in config.json. */
function hostKey(address: string): string {
  return address.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

async function readDockerConfig(path: string): Promise<DockerConfigFile | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as DockerConfigFile;
  } catch {
    // No config or an unreadable one: Docker itself then pulls anonymously too.
    return undefined;
  }
}

/** Asks a credential helper (`docker-credential-<name> get`, registry on stdin) for a login. */
function fromHelper(name: string, registry: string, env: NodeJS.ProcessEnv, source: string): Promise<ResolvedAuth> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${name}`, ['get'], { env, timeout: 10_000 }, (error, stdout) => {
      // A helper that fails or has no entry means: pull anonymously, as the docker CLI does.
      if (error) return resolve({ auth: undefined, source: 'anonymous' });
      try {
        const { Username, Secret } = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (Username && Secret) {
          return resolve({ auth: { username: Username, password: Secret, serveraddress: registry }, source });
        }
      } catch {
        /* not JSON: treated like no entry */
      }
      resolve({ auth: undefined, source: 'anonymous' });
    });
    child.stdin?.end(registry);
  });
}
