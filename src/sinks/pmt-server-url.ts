import { PmtError, ExitCode } from '../errors.js';
import { maskCredentials } from '../log/mask-credentials.js';

/**
 * Parses the configured PMT server base URL. A path prefix (`http://host:8081/pmt`) is kept; a query
 * or fragment is refused because the API paths are appended to it.
 */
export function parseServerUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (cause) {
    throw invalidServerUrl(maskCredentials(baseUrl), 'not a URL', cause);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidServerUrl(displayUrl(url), 'it must start with http:// or https://');
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalidServerUrl(displayUrl(url), 'a query or fragment cannot be combined with API paths');
  }
  return url;
}

/** `<base>/api/v1/<segments...>`, each segment URL-encoded, the base's path prefix kept. */
export function apiUrl(base: URL, ...segments: string[]): URL {
  const url = new URL(base.href);
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = [prefix, 'api', 'v1', ...segments.map(encodeURIComponent)].join('/');
  return url;
}

/** The URL as shown to users and in outcomes: the password masked. */
export function displayUrl(url: URL): string {
  return maskCredentials(url.href);
}

function invalidServerUrl(baseUrl: string, why: string, cause?: unknown): PmtError {
  return new PmtError(`invalid PMT server URL "${baseUrl}": ${why}`, {
    origin: 'server',
    exitCode: ExitCode.usage,
    hint: 'give the server as an http(s) URL, e.g. http://localhost:8081 or http://host:8081/pmt',
    cause,
  });
}
