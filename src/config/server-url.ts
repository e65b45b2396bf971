import { maskCredentials } from '../log/mask-credentials.js';

/** Why `url` cannot be a PMT server base URL, or undefined when it can. */
export function serverUrlProblem(url: string): string | undefined {
  const shown = JSON.stringify(maskCredentials(url));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${shown} is not a URL (e.g. "http://localhost:8081")`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${shown} must be an http:// or https:// URL`;
  if (parsed.search !== '' || parsed.hash !== '') return `${shown} must be a base URL without "?query" or "#fragment"`;
  return undefined;
}

/** The base URL without trailing slashes, so callers can append `/api/v1/…`. */
export function normalizeServerUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
