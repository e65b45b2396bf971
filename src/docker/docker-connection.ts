import { join } from 'node:path';
import { ConfigError, type Problem } from '../errors.js';
import { parseDockerHost, type DockerHost } from './docker-host.js';
import { sshUrl, type SshDestination } from './ssh-command.js';

export interface ConnectRequest {
  /** `--docker-host`; wins over `DOCKER_HOST`. */
  readonly dockerHost?: string | undefined;
  /** `--engine-local`; wins over `PMT_ENGINE_LOCAL`. */
  readonly local?: boolean | undefined;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Everything docker-modem takes from the environment, set explicitly: its constructor merges its
 * own reading of process.env.DOCKER_HOST (and DOCKER_CERT_PATH, DOCKER_CLIENT_TIMEOUT, ...) under
 * the options it is given, so a key left out would let that reading leak in.
 */
export interface ModemOptions {
  readonly socketPath: string | undefined;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly protocol: 'http' | 'https';
  /** Always unset: docker-modem's own ssh client (ssh2) checks no host key and reads no ssh config. */
  readonly username: undefined;
  readonly sshOptions: undefined;
  /** No idle timeout: it would cut long execs and log follows; calls carry abort signals instead. */
  readonly timeout: undefined;
  readonly pathPrefix: undefined;
}

export interface DockerConnection {
  readonly kind: DockerHost['kind'];
  /** For messages, e.g. `tcp://127.0.0.1:2376 (TLS)`; a default socket is named once it is picked. */
  readonly endpoint: string;
  /**
   * Whether the engine sees this machine's files, so the input can be bind-mounted and the REST
   * transport's socket shared. Rule: `--engine-local` > `PMT_ENGINE_LOCAL=0|1` > unix socket → local,
   * tcp/ssh → remote. Remote is the safe guess: the input is then copied, which works everywhere.
   */
  readonly local: boolean;
  readonly modem: ModemOptions;
  /** PEM files the edge reads into ca/cert/key (https only). */
  readonly tlsFiles: { readonly ca: string; readonly cert: string; readonly key: string } | undefined;
  /** Sockets to try in order when no socket path was given (docker-modem's defaults). */
  readonly defaultSockets: readonly string[];
  /** ssh:// only: where the edge runs `ssh … docker system dial-stdio` for each connection. */
  readonly ssh?: SshDestination;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';
const HINT = `use --docker-host or DOCKER_HOST with one of: unix:///path/to/docker.sock, tcp://host:port (TLS with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH), ssh://[user@]host[:port] (through the system ssh and your ssh config)`;

/** Pure: where and how to reach the engine. Throws a ConfigError listing every problem found. */
export function dockerConnectionOptions(request: ConnectRequest): DockerConnection {
  const { env } = request;
  const problems: Problem[] = [];
  const source = request.dockerHost !== undefined ? '--docker-host' : 'DOCKER_HOST';
  const raw = request.dockerHost ?? (env.DOCKER_HOST || undefined);
  let host: DockerHost = { kind: 'unix', socketPath: undefined };
  if (raw !== undefined) {
    const parsed = parseDockerHost(raw);
    if ('problem' in parsed) problems.push({ file: source, message: `${JSON.stringify(raw)} ${parsed.problem}` });
    else host = parsed;
  }
  const local = request.local ?? flag(env, 'PMT_ENGINE_LOCAL', problems) ?? host.kind === 'unix';
  const tlsVerify = host.kind === 'tcp' ? (flag(env, 'DOCKER_TLS_VERIFY', problems) ?? false) : false;
  const base = { socketPath: undefined, host: undefined, port: undefined, username: undefined, sshOptions: undefined, timeout: undefined, pathPrefix: undefined };
  let connection: DockerConnection | undefined;

  if (host.kind === 'unix') {
    connection = {
      kind: 'unix',
      endpoint: `unix://${host.socketPath ?? '(default Docker socket)'}`,
      local,
      modem: { ...base, socketPath: host.socketPath, protocol: 'http' },
      tlsFiles: undefined,
      defaultSockets: env.HOME ? [join(env.HOME, '.docker', 'run', 'docker.sock'), DEFAULT_SOCKET] : [DEFAULT_SOCKET],
    };
  } else if (host.kind === 'tcp') {
    // Docker's convention: 2376 is the TLS port; DOCKER_TLS_VERIFY turns TLS on for any port.
    const https = tlsVerify || host.port === 2376;
    const port = host.port ?? (https ? 2376 : 2375);
    const certDir = env.DOCKER_CERT_PATH || (tlsVerify && env.HOME ? join(env.HOME, '.docker') : undefined);
    if (tlsVerify && certDir === undefined) problems.push({ file: 'DOCKER_CERT_PATH', message: 'DOCKER_TLS_VERIFY is set but no certificate directory is known (set DOCKER_CERT_PATH)' });
    connection = {
      kind: 'tcp',
      endpoint: `tcp://${host.hostname}:${port}${https ? ' (TLS)' : ''}`,
      local,
      modem: { ...base, host: host.hostname, port, protocol: https ? 'https' : 'http' },
      tlsFiles: https && certDir ? { ca: join(certDir, 'ca.pem'), cert: join(certDir, 'cert.pem'), key: join(certDir, 'key.pem') } : undefined,
      defaultSockets: [],
    };
  } else {
    // The system ssh decides the rest (user, port, keys, known_hosts) from the user's ssh config.
    const ssh: SshDestination = { hostname: host.hostname, port: host.port, username: host.username };
    connection = {
      kind: 'ssh',
      endpoint: sshUrl(ssh),
      local,
      // Requests go through an agent whose connections are ssh processes; the host name is only
      // what the requests' Host header says, as with the docker CLI.
      modem: { ...base, host: 'docker', protocol: 'http' },
      tlsFiles: undefined,
      defaultSockets: [],
      ssh,
    };
  }
  if (problems.length > 0) throw new ConfigError(problems, HINT);
  return connection;
}

/** `1`/`true` and `0`/`false`; unset or empty means "not said". */
function flag(env: NodeJS.ProcessEnv, name: string, problems: Problem[]): boolean | undefined {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  problems.push({ file: name, message: `${JSON.stringify(env[name])} is neither 1 nor 0` });
  return undefined;
}
