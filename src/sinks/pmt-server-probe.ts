import { PMT_VERSION } from '../version.js';
import { exchange } from './pmt-server-http.js';
import { describeNetworkError, serverMessage } from './pmt-server-messages.js';
import { apiUrl, displayUrl, parseServerUrl } from './pmt-server-url.js';

export type ProbeResult = { ok: true; version?: string } | { ok: false; reason: string };

export interface ProbeOptions {
  /** Longest silence per request (default 3 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const headers = { accept: 'application/json, text/plain;q=0.9', 'user-agent': `pmt/${PMT_VERSION}` };

/**
 * Asks `GET <base>/api/v1/health` once whether the server is up and, if it is, `GET <base>/api/v1/version`
 * (best effort). Never throws for network or server problems: the reason names them and the URL.
 * Throws PmtError only for an invalid base URL.
 */
export async function probeServer(baseUrl: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const base = parseServerUrl(baseUrl);
  const url = apiUrl(base, 'health');
  const at = `at ${displayUrl(url)}`;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const health = await exchange({ method: 'GET', url, headers, timeoutMs, signal: options.signal });

  switch (health.kind) {
    case 'aborted':
      return { ok: false, reason: `aborted while asking ${displayUrl(url)}` };
    case 'local':
      return { ok: false, reason: `${health.message} ${at}` };
    case 'network':
      return { ok: false, reason: `${describeNetworkError(health.error).message} ${at}` };
    case 'response':
      break;
  }
  if (health.status < 200 || health.status >= 300) {
    const said = serverMessage(health.body);
    return { ok: false, reason: `answered ${health.status} ${health.statusText} ${at}${said === '' ? '' : `: ${said}`}` };
  }
  if (healthStatus(health.body) !== 'UP') {
    return { ok: false, reason: `health says ${oneLine(health.body)} ${at}` };
  }
  const version = await fetchVersion(base, timeoutMs, options.signal);
  return version === undefined ? { ok: true } : { ok: true, version };
}

function healthStatus(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const status = (parsed as Record<string, unknown>).status;
    return typeof status === 'string' ? status.toUpperCase() : undefined;
  } catch {
    return undefined;
  }
}

async function fetchVersion(base: URL, timeoutMs: number, signal: AbortSignal | undefined): Promise<string | undefined> {
  const answer = await exchange({ method: 'GET', url: apiUrl(base, 'version'), headers, timeoutMs, signal });
  if (answer.kind !== 'response' || answer.status < 200 || answer.status >= 300) return undefined;
  let text = answer.body.trim();
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'string') text = parsed;
    else if (typeof parsed === 'object' && parsed !== null) {
      const version = (parsed as Record<string, unknown>).version;
      if (typeof version === 'string') text = version;
    }
  } catch {
    // Plain text, as the PMT server sends it.
  }
  const line = oneLine(text);
  return line === '' ? undefined : line;
}

function oneLine(text: string): string {
  const line = text.trim().replace(/\s*\r?\n\s*/g, ' ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
