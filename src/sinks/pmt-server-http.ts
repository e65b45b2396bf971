import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

/** What one HTTP exchange ended with; never thrown, always returned. */
export type Exchange =
  | { kind: 'response'; status: number; statusText: string; headers: http.IncomingHttpHeaders; body: string }
  /** The network failed (refused, reset, hang-up, our idle timeout with code `PMT_TIMEOUT`, ...). */
  | { kind: 'network'; error: NodeJS.ErrnoException }
  /** The file could not be read as promised (read error, size changed); retrying will not help. */
  | { kind: 'local'; message: string }
  | { kind: 'aborted' };

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: http.OutgoingHttpHeaders;
  /** Streamed as the request body with Content-Length `size`; the byte count is checked. */
  body?: { name: string; size: number; open(): Readable };
  /** Longest silence on the socket (connect, send or wait) before giving up. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Enough of a response body to quote the server; the rest is drained unread. */
const maxBodyBytes = 64 * 1024;

export function exchange(request: ExchangeRequest): Promise<Exchange> {
  return new Promise((resolve) => {
    const { signal } = request;
    if (signal?.aborted === true) return resolve({ kind: 'aborted' });
    const client = request.url.protocol === 'https:' ? https : http;
    // A fresh connection per request: a pooled socket the server has just closed would turn into a
    // spurious failed attempt.
    const req = client.request(request.url, {
      method: request.method,
      headers: request.headers,
      agent: false,
      timeout: request.timeoutMs,
    });
    let body: Readable | undefined;
    let response: http.IncomingMessage | undefined;
    let settled = false;
    const settle = (result: Exchange): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      body?.destroy();
      req.destroy();
      resolve(result);
    };
    const onAbort = (): void => settle({ kind: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });

    req.on('timeout', () => {
      if (response !== undefined) response.destroy();
      else settle({ kind: 'network', error: timeoutError(request.timeoutMs) });
    });
    // Once the server has answered, a failing upload (it stopped reading) is no longer news.
    req.on('error', (error) => {
      if (response === undefined) settle({ kind: 'network', error });
    });
    req.on('response', (res) => {
      response = res;
      void readText(res).then((text) =>
        settle({
          kind: 'response',
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? http.STATUS_CODES[res.statusCode ?? 0] ?? '',
          headers: res.headers,
          body: text,
        }),
      );
    });

    if (request.body === undefined) {
      req.end();
      return;
    }
    const { name, size } = request.body;
    try {
      body = request.body.open();
    } catch (error) {
      return settle({ kind: 'local', message: `cannot read ${name}: ${errorMessage(error)}` });
    }
    let sent = 0;
    // Registered before pipe() so a size mismatch is caught before the bytes reach the socket.
    body.on('data', (chunk: Buffer | string) => {
      sent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (sent > size) settle({ kind: 'local', message: sizeChanged(name, size, `more than ${size}`) });
    });
    body.on('end', () => {
      if (sent !== size) settle({ kind: 'local', message: sizeChanged(name, size, String(sent)) });
    });
    body.on('error', (error) => settle({ kind: 'local', message: `cannot read ${name}: ${error.message}` }));
    body.pipe(req);
  });
}

function readText(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const done = (): void => resolve(Buffer.concat(chunks).toString('utf8'));
    res.on('data', (chunk: Buffer) => {
      if (kept >= maxBodyBytes) return;
      chunks.push(chunk.subarray(0, maxBodyBytes - kept));
      kept += chunk.length;
    });
    res.on('end', done);
    res.on('close', done);
    res.on('error', done);
  });
}

function timeoutError(ms: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`no answer within ${ms} ms`), { code: 'PMT_TIMEOUT' });
}

function sizeChanged(name: string, expected: number, read: string): string {
  return `${name} changed while it was being sent: expected ${expected} bytes, read ${read}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
