import { accessSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import Dockerode from 'dockerode';
import { ConfigError, type Problem } from '../errors.js';
import { dockerConnectionOptions, type ConnectRequest, type DockerConnection } from './docker-connection.js';
import { DockerRuntime } from './docker-runtime.js';
import { SshHttpAgent } from './ssh-http-agent.js';

/**
 * The runtime for the engine named by `--docker-host`, else `DOCKER_HOST`, else the default socket.
 * Reads the TLS files, picks the default socket and makes the ssh agent here, at the edge; everything
 * else is decided by the pure dockerConnectionOptions.
 */
export function connectDocker(request: ConnectRequest): DockerRuntime {
  const connection = dockerConnectionOptions(request);
  const socketPath = connection.modem.socketPath ?? (connection.kind === 'unix' ? pickSocket(connection.defaultSockets) : undefined);
  const tls = connection.tlsFiles ? readTlsFiles(connection.tlsFiles) : { ca: undefined, cert: undefined, key: undefined };
  // ssh:// engines: every connection is the system ssh running `docker system dial-stdio` there.
  const sshAgent = connection.ssh ? new SshHttpAgent(connection.ssh, request.env) : undefined;
  const agent = sshAgent ?? (connection.modem.protocol === 'https' ? undefined : plainHttpAgent());
  const docker = newDockerode({ ...connection.modem, socketPath, ...tls, agent });
  return new DockerRuntime(docker, {
    endpoint: socketPath === undefined ? connection.endpoint : `unix://${socketPath}`,
    local: connection.local,
    close: sshAgent ? () => sshAgent.close() : undefined,
  });
}

export type { ConnectRequest, DockerConnection };

/**
 * For an engine spoken to without TLS (a unix socket, tcp:// without TLS): Node's default agent
 * works out a TLS server name for every request even then (net.isIP on the Host header, whose IPv6
 * pattern takes ~4 ms to compile in a process's first request). One that is told there is none
 * (`servername: ''`) skips that; otherwise it is Node 20's global agent (keep-alive, lifo, 5 s).
 */
function plainHttpAgent(): Agent {
  return new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000, servername: '' } as ConstructorParameters<typeof Agent>[0]);
}

function pickSocket(candidates: readonly string[]): string | undefined {
  return candidates.find((path) => {
    try {
      accessSync(path);
      return true;
    } catch {
      return false;
    }
  }) ?? candidates.at(-1);
}

function readTlsFiles(files: NonNullable<DockerConnection['tlsFiles']>): { ca: Buffer; cert: Buffer; key: Buffer } {
  const problems: Problem[] = [];
  const read = (path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push({ file: path, message: `cannot read the TLS file: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
      return Buffer.alloc(0);
    }
  };
  const pem = { ca: read(files.ca), cert: read(files.cert), key: read(files.key) };
  if (problems.length > 0) throw new ConfigError(problems, 'DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem (as `docker --tlsverify` expects)');
  return pem;
}

/**
 * docker-modem parses process.env.DOCKER_HOST (and reads DOCKER_CERT_PATH) in its constructor even
 * when every option is given, and throws on a value it cannot use. Our options already say
 * everything (from `--docker-host` or the `env` we were given, both checked), so that reading is
 * irrelevant: the constructor then runs once more without it — synchronously, restored at once.
 * (`agent` is docker-modem's, missing from @types/dockerode: every request goes through it.)
 */
function newDockerode(options: Dockerode.DockerOptions & { agent?: Agent | undefined }): Dockerode {
  try {
    return new Dockerode(options);
  } catch (error) {
    const envHost = process.env.DOCKER_HOST;
    if (envHost === undefined) throw error;
    delete process.env.DOCKER_HOST;
    try {
      return new Dockerode(options);
    } finally {
      process.env.DOCKER_HOST = envHost;
    }
  }
}
