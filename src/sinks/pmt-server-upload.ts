import { PMT_VERSION } from '../version.js';
import { contentTypeFor } from './content-type.js';
import { exchange, type Exchange } from './pmt-server-http.js';
import { describeNetworkError, httpFailureMessage, serverMessage } from './pmt-server-messages.js';
import type { UploadItem, UploadOptions, UploadOutcome, UploadStatus } from './pmt-server-types.js';
import { apiUrl, displayUrl, parseServerUrl } from './pmt-server-url.js';
import { abortableSleep, backoffDelay, retryAfterMs } from './retry-backoff.js';

const defaults = { retries: 3, baseDelayMs: 250, maxDelayMs: 8_000, timeoutMs: 60_000 } as const;

/** What one attempt means: an end (any status) or a transient failure worth another attempt. */
type Verdict =
  | { final: true; status: UploadStatus; httpStatus?: number; location?: string; message?: string }
  | { final: false; httpStatus?: number; message: string; retryAfterMs?: number };

/**
 * Sends one result file to `POST <base>/api/v1/products/import/<importer>`, retrying transient
 * failures (network errors, timeouts, 429, 502, 503, 504) with bounded exponential backoff and jitter.
 * Never rejects for server or network problems: the outcome says what happened. On abort it resolves
 * with a `failed` outcome whose message is `aborted`. Throws PmtError only for an invalid base URL.
 */
export async function uploadResult(item: UploadItem, options: UploadOptions): Promise<UploadOutcome> {
  const url = apiUrl(parseServerUrl(options.baseUrl), 'products', 'import', item.importer);
  const shownUrl = displayUrl(url);
  const retries = Math.max(0, options.retries ?? defaults.retries);
  const maxDelayMs = options.maxDelayMs ?? defaults.maxDelayMs;
  const sleep = options.sleep ?? abortableSleep;
  const base = { plugin: item.plugin, fileName: item.fileName, importer: item.importer, url: shownUrl };
  const headers = {
    'content-type': contentTypeFor(item.fileName),
    'content-length': item.size,
    accept: 'application/json, text/plain;q=0.9, */*;q=0.5',
    'user-agent': `pmt/${PMT_VERSION}`,
  };

  let lastStatus: number | undefined;
  for (let attempt = 1; ; attempt++) {
    if (isAborted(options.signal)) return aborted(base, attempt - 1, lastStatus);
    const result = await exchange({
      method: 'POST',
      url,
      headers,
      body: { name: item.fileName, size: item.size, open: () => item.open() },
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
      signal: options.signal,
    });
    if (result.kind === 'aborted') return aborted(base, attempt, lastStatus);
    const verdict = judge(result, url, maxDelayMs);
    lastStatus = verdict.httpStatus ?? lastStatus;
    const attemptsNote = attempt > 1 ? ` (${attempt} attempts)` : '';

    if (verdict.final || attempt > retries) {
      options.onAttempt?.({ ...base, attempt, httpStatus: verdict.httpStatus, message: failureOf(verdict), willRetry: false });
      const outcome: UploadOutcome = { ...base, status: verdict.final ? verdict.status : 'failed', attempts: attempt };
      if (verdict.httpStatus !== undefined) outcome.httpStatus = verdict.httpStatus;
      if (verdict.final && verdict.location !== undefined) outcome.location = verdict.location;
      if (verdict.message !== undefined) {
        outcome.message = outcome.status === 'failed' ? verdict.message + attemptsNote : verdict.message;
      }
      return outcome;
    }

    const delayMs =
      verdict.retryAfterMs ??
      backoffDelay(attempt, options.baseDelayMs ?? defaults.baseDelayMs, maxDelayMs, options.random ?? Math.random);
    options.onAttempt?.({ ...base, attempt, httpStatus: verdict.httpStatus, message: verdict.message, willRetry: true, delayMs });
    try {
      await sleep(delayMs, options.signal);
    } catch (error) {
      if (isAborted(options.signal)) return aborted(base, attempt, lastStatus);
      throw error;
    }
  }
}

/**
 * Uploads the items one after another, in order. Sequential on purpose: each import makes the server
 * parse a file and write a product, result files are few and small next to a scan, ordered requests
 * keep the server's log readable, and one slow or failing server is not hit by a burst of retries.
 * After an abort the remaining items come back `failed` with message `aborted` and 0 attempts.
 */
export async function uploadResults(items: readonly UploadItem[], options: UploadOptions): Promise<UploadOutcome[]> {
  const outcomes: UploadOutcome[] = [];
  for (const item of items) outcomes.push(await uploadResult(item, options));
  return outcomes;
}

function judge(result: Exclude<Exchange, { kind: 'aborted' }>, url: URL, maxDelayMs: number): Verdict {
  if (result.kind === 'local') return { final: true, status: 'failed', message: result.message };
  if (result.kind === 'network') {
    const failure = describeNetworkError(result.error);
    return failure.transient
      ? { final: false, message: failure.message }
      : { final: true, status: 'failed', message: failure.message };
  }
  const { status, statusText, headers, body } = result;
  const location = resolveLocation(headers.location, url);
  if (status >= 200 && status < 300) {
    if (status === 200 && /no importer/i.test(body)) {
      return { final: true, status: 'ignored', httpStatus: status, message: serverMessage(body) };
    }
    return { final: true, status: 'uploaded', httpStatus: status, location };
  }
  const message = httpFailureMessage(status, statusText, body);
  if (status === 429 || status === 502 || status === 503 || status === 504) {
    // Retry-After is honoured only up to maxDelayMs: a server asking for minutes is treated as down.
    const retryAfter = retryAfterMs(headers['retry-after'], maxDelayMs);
    return { final: false, httpStatus: status, message, retryAfterMs: retryAfter };
  }
  if (status >= 300 && status < 400) {
    const where = location === undefined ? '' : ` to ${location}`;
    return { final: true, status: 'failed', httpStatus: status, message: `${message} (redirect${where} not followed; check the server URL)` };
  }
  // Every other 4xx is about this request and will be answered the same way again. 500 too: the PMT
  // server answers 500 when an importer chokes on a file (a server bug for that file), so resending
  // the same bytes would fail again and might leave half-imported products behind.
  return { final: true, status: 'failed', httpStatus: status, message };
}

function resolveLocation(header: string | undefined, requestUrl: URL): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  try {
    return displayUrl(new URL(header.trim(), requestUrl));
  } catch {
    return header.trim();
  }
}

function failureOf(verdict: Verdict): string | undefined {
  return verdict.final && verdict.status !== 'failed' ? undefined : verdict.message;
}

function aborted(base: Omit<UploadOutcome, 'status' | 'attempts'>, attempts: number, httpStatus: number | undefined): UploadOutcome {
  const outcome: UploadOutcome = { ...base, status: 'failed', attempts, message: 'aborted' };
  if (httpStatus !== undefined) outcome.httpStatus = httpStatus;
  return outcome;
}

/** A function, not an inline check: TypeScript would otherwise keep `aborted` narrowed across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
