import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { RestAddress } from '../../../src/transport/rest-endpoint.js';

/** One multipart part: a field (`value`) or a file (`filename` + `content`). */
export interface Part {
  readonly name: string;
  readonly value?: string;
  readonly filename?: string;
  readonly content?: Buffer | Readable;
}

export interface Answer {
  /** 0 when the connection failed before an answer arrived. */
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The transport error, if any (e.g. ECONNRESET after the server gave up on a huge body). */
  readonly error?: string;
}

export interface PostOptions {
  readonly token?: string;
  readonly headers?: Record<string, string>;
  readonly path?: string;
  readonly method?: string;
  /** Sent instead of a body built from parts. */
  readonly rawBody?: Buffer | Readable;
  /** Omit the closing boundary, as a client that died mid-request would. */
  readonly truncate?: boolean;
}

const BOUNDARY = '----pmt-test-boundary-7d3f';

function partHead(part: Part): Buffer {
  const disposition =
    part.filename === undefined
      ? `form-data; name="${part.name}"`
      : `form-data; name="${part.name}"; filename="${part.filename}"`;
  const type = part.filename === undefined ? '' : 'Content-Type: application/octet-stream\r\n';
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`, 'latin1');
}

/** A multipart body streamed part by part (file contents may be streams of any size). */
export function multipartBody(parts: readonly Part[], truncate = false): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    for (const part of parts) {
      yield partHead(part);
      const content = part.content ?? Buffer.from(part.value ?? '');
      if (Buffer.isBuffer(content)) yield content;
      else for await (const chunk of content) yield chunk as Buffer;
      yield Buffer.from('\r\n');
    }
    if (!truncate) yield Buffer.from(`--${BOUNDARY}--\r\n`);
  }
  return Readable.from(generate(), { objectMode: false });
}

export function post(address: RestAddress, parts: readonly Part[], options: PostOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    ...options.headers,
  };
  const body = options.rawBody ?? multipartBody(parts, options.truncate);
  return send(address, { method: options.method ?? 'POST', path: options.path ?? '/save', headers, body });
}

export function get(address: RestAddress, path: string): Promise<Answer> {
  return send(address, { method: 'GET', path, headers: {}, body: undefined });
}

function send(
  address: RestAddress,
  spec: { method: string; path: string; headers: Record<string, string>; body: Buffer | Readable | undefined },
): Promise<Answer> {
  const where = address.kind === 'unix' ? { socketPath: address.socketPath } : { host: '127.0.0.1', port: Number(new URL(address.url).port) };
  return new Promise((resolve) => {
    let answered = false;
    const request = httpRequest({ ...where, method: spec.method, path: spec.path, headers: spec.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => undefined);
      response.on('close', () => {
        answered = true;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() });
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (!answered) resolve({ status: 0, headers: {}, body: '', error: error.code ?? error.message });
    });
    if (spec.body === undefined) request.end();
    else if (Buffer.isBuffer(spec.body)) request.end(spec.body);
    else {
      spec.body.on('error', () => undefined);
      spec.body.pipe(request);
    }
  });
}

export function json(answer: Answer): Record<string, unknown> {
  return JSON.parse(answer.body) as Record<string, unknown>;
}

export interface CurlResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs /usr/bin/curl (as plugin containers do), optionally through a wrapper such as setpriv. */
export function curl(args: readonly string[], options: { env?: Record<string, string>; wrapper?: readonly string[] } = {}): Promise<CurlResult> {
  return run([...(options.wrapper ?? []), '/usr/bin/curl', ...args], options.env);
}

/** Runs a shell script with only PATH and `env` in its environment. */
export function shell(script: string, env: Record<string, string>): Promise<CurlResult> {
  return run(['/bin/sh', '-c', script], env);
}

function run(argv: readonly string[], env: Record<string, string> = {}): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** curl arguments that reach the endpoint, whichever transport it uses. */
export function curlTarget(address: RestAddress, path: string): string[] {
  return address.kind === 'unix' ? ['--unix-socket', address.socketPath, `http://pmt${path}`] : [`${address.url}${path}`];
}
