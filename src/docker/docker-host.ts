import { isAbsolute } from 'node:path';
import type { SshDestination } from './ssh-command.js';

/** A Docker engine address as `DOCKER_HOST` / `--docker-host` give it, checked and split up. */
export type DockerHost =
  | { readonly kind: 'unix'; readonly socketPath: string | undefined }
  | { readonly kind: 'tcp'; readonly hostname: string; readonly port: number | undefined }
  | ({ readonly kind: 'ssh' } & SshDestination);

export const SUPPORTED_HOSTS = 'unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host[:port]';

/**
 * Parses an engine address; returns a problem text instead of throwing so the caller can name
 * where the value came from. `unix://` alone means the default socket; `host:port` means tcp.
 */
export function parseDockerHost(value: string): DockerHost | { readonly problem: string } {
  const text = value.trim();
  if (text === '') return { problem: 'is empty' };
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (socketPath !== '' && !isAbsolute(socketPath)) return { problem: 'needs an absolute socket path, e.g. unix:///var/run/docker.sock' };
    return { kind: 'unix', socketPath: socketPath === '' ? undefined : socketPath };
  }
  // dockerd and docker-modem read a bare `host:port` as tcp.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `tcp://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { problem: `is not an address (expected ${SUPPORTED_HOSTS})` };
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme !== 'tcp' && scheme !== 'ssh') {
    const why = scheme === 'npipe' ? 'Windows named pipes are not available here' : `the scheme ${scheme}:// is not supported`;
    return { problem: `${why} (expected ${SUPPORTED_HOSTS})` };
  }
  if (url.hostname === '') return { problem: `names no host (expected ${SUPPORTED_HOSTS})` };
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return { problem: 'must not have a path, query or fragment after host[:port]' };
  }
  if (url.password !== '') return { problem: 'must not contain a password; ssh logs in with your keys (ssh-agent or IdentityFile)' };
  const port = url.port === '' ? undefined : Number(url.port);
  if (scheme === 'tcp') {
    if (url.username !== '') return { problem: 'must not contain a user name for tcp://' };
    return { kind: 'tcp', hostname: url.hostname, port };
  }
  return { kind: 'ssh', hostname: url.hostname, port, username: url.username === '' ? undefined : decodeURIComponent(url.username) };
}
