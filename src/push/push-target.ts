import { UsageError } from '../errors.js';
import { registryOf } from '../docker/registry-auth.js';

/**
 * Checks the registry a user names for `pmt push`: `HOST[:PORT]` as it starts an image reference
 * (`10.0.0.5:5000`, `registry.example:443`, `localhost:5000`), no scheme and no path. Returns it.
 */
export function parseRegistryHost(value: string): string {
  const host = value.trim();
  const hint = 'name the registry as it starts an image reference: HOST:PORT (e.g. 10.0.0.5:5000), without http:// and without a path';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) throw new UsageError(`the registry "${value}" has a scheme`, hint);
  if (host.includes('/')) throw new UsageError(`the registry "${value}" has a path`, hint);
  // A DNS name or IPv4 with an optional port, or [IPv6]:port; lower-case as references require.
  if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(:\d{1,5})?$/.test(host)) {
    throw new UsageError(`"${value}" is not a registry host`, hint);
  }
  // Without a dot or a port (and not localhost) Docker would read it as a Docker Hub user name.
  if (registryOf(`${host}/x`, '') !== host) throw new UsageError(`"${value}" would be read as a Docker Hub namespace, not a registry`, hint);
  return host;
}

/**
 * The reference an image gets in `registry`: the same repository path and tag, the source's own
 * registry host (if any) replaced — `pmt/licensee:9.15.2` → `HOST:PORT/pmt/licensee:9.15.2`,
 * `ghcr.io/org/x:1` → `HOST:PORT/org/x:1`. A digest is dropped (a push needs a tag); no tag →
 * `latest`, as Docker does.
 */
export function pushTarget(image: string, registry: string): string {
  const withoutDigest = image.replace(/@.*$/, '');
  const host = registryOf(withoutDigest, '');
  const path = host === '' ? withoutDigest : withoutDigest.slice(host.length + 1);
  const slash = path.lastIndexOf('/');
  const colon = path.lastIndexOf(':');
  const [repository, tag] = colon > slash ? [path.slice(0, colon), path.slice(colon + 1)] : [path, 'latest'];
  return `${registry}/${repository}:${tag}`;
}
