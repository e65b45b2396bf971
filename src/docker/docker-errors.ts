import { EngineUnreachableError, PmtError } from '../errors.js';
import { SshConnectionError } from './ssh-failure.js';

/** The shape dockerode/docker-modem errors carry. */
interface DockerApiError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

// ESSH: SshConnectionError, an ssh:// engine ssh could not or would not connect to.
const UNREACHABLE_CODES = new Set(['ESSH', 'ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND']);

export function dockerStatusCode(error: unknown): number | undefined {
  return (error as DockerApiError | undefined)?.statusCode;
}

/** The engine's own message ("No such image: x"), not dockerode's wrapper text. */
export function dockerMessage(error: unknown): string {
  const e = error as DockerApiError | undefined;
  const message = e?.json?.message ?? e?.message ?? String(error);
  return message.replace(/^\(HTTP code \d+\)\s*[\w ]*-\s*/, '').trim();
}

export function isEngineUnreachable(error: unknown): boolean {
  const code = (error as DockerApiError | undefined)?.code;
  return code !== undefined && UNREACHABLE_CODES.has(code) && dockerStatusCode(error) === undefined;
}

/** Wraps an engine failure as a PmtError that says which Docker call failed. */
export function toDockerError(action: string, error: unknown, endpoint: string): PmtError {
  if (error instanceof PmtError) return error;
  // ssh said why it could not connect (host key, login, no docker there): that is the message.
  if (error instanceof SshConnectionError) return new EngineUnreachableError(error.message, error, error.hint);
  if (isEngineUnreachable(error)) {
    const code = (error as DockerApiError).code;
    return new EngineUnreachableError(`no Docker engine answers at ${endpoint} (${code})`, error);
  }
  const status = dockerStatusCode(error);
  // Without an HTTP status the engine never answered (e.g. an ssh handshake failed): say where it was sought.
  const where = status ? '' : ` at ${endpoint}`;
  return new PmtError(`Docker engine${where} could not ${action}: ${dockerMessage(error)}${status ? ` (HTTP ${status})` : ''}`, {
    origin: 'docker',
    cause: error,
  });
}
