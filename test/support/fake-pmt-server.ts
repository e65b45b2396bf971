/**
 * A PMT-server-compatible HTTP server for tests: real HTTP on 127.0.0.1, a free port, every request
 * recorded. Plain Node (no vitest), so a test can start it and point a `pmt` child process at it; it
 * also runs on its own (`node <compiled file>`), printing `{"url":...}` and then one JSON line per request.
 *
 * Import requests are answered, in this order, by: the next entry of a `respondWith` script, the
 * importer's standing answer (`answerImporter`), else 201 + Location for any importer name (or, with
 * `strictImporters`, 200 "no importer" for names the real server does not know).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';

/**
 * `'drop'` destroys the socket without answering (after reading the body); `'hang'` never answers
 * (until close). A status (number or string) answers with a default body; `'400 unsupported SPDX
 * version'` answers with that text.
 */
export type FakeAnswer =
  | 'drop'
  | 'hang'
  | number
  | `${number}`
  | `${number} ${string}`
  | { status: number; body?: string; headers?: Record<string, string> };

export interface RecordedRequest {
  method: string;
  /** Path as received, including any prefix, without the query. */
  path: string;
  /** For import requests: the importer as the server sees it (URL-decoded, lower-cased). */
  importer?: string;
  /** The importer segment exactly as it was sent (still URL-encoded). */
  rawImporter?: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** What the server did: a status code, 'drop' or 'hang'. */
  answer: number | 'drop' | 'hang';
}

export interface FakePmtServerOptions {
  /** Serve the API under a prefix, e.g. `/pmt` → `http://127.0.0.1:port/pmt/api/v1/...`. */
  pathPrefix?: string;
  /** Body of GET /api/v1/version. */
  version?: string;
  /** Answer 200 "no importer" for importers the real server does not know. */
  strictImporters?: boolean;
  /** Called with each request once it has been answered (or dropped). */
  onRequest?: (request: RecordedRequest) => void;
}

export const knownImporters: readonly string[] = ['spdx', 'scancode', 'composer', 'file-hasher'];

const defaultBodies: Record<number, string> = {
  200: 'no importer',
  400: 'bad request',
  404: 'not found',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

interface Answer {
  status: number | 'drop' | 'hang';
  body: string;
  headers: Record<string, string>;
}

export class FakePmtServer {
  readonly requests: RecordedRequest[] = [];
  private readonly prefix: string;
  private readonly script: FakeAnswer[] = [];
  private readonly standing = new Map<string, FakeAnswer>();
  private health: 'UP' | 'DOWN' | FakeAnswer = 'UP';
  private nextProductId = 1;
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private baseUrl: string | undefined;

  constructor(private readonly options: FakePmtServerOptions = {}) {
    this.prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  }

  /** Base URL (with prefix); only after start(). */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('fake PMT server not started');
    return this.baseUrl;
  }

  /** Import requests only, in arrival order. */
  get uploads(): RecordedRequest[] {
    return this.requests.filter((r) => r.importer !== undefined);
  }

  /** Answers for the next import requests, one entry each, before any standing answer. */
  respondWith(script: readonly FakeAnswer[]): this {
    this.script.push(...script);
    return this;
  }

  /** A standing answer for one importer (matched lower-cased). */
  answerImporter(importer: string, answer: FakeAnswer): this {
    this.standing.set(importer.toLowerCase(), answer);
    return this;
  }

  /** 'UP' / 'DOWN' answer 200 with that status; any other answer (503, 'drop') is used as is. */
  setHealth(answer: 'UP' | 'DOWN' | FakeAnswer): this {
    this.health = answer;
    return this;
  }

  /** Forgets recorded requests, the script and standing answers. */
  reset(): this {
    this.requests.length = 0;
    this.script.length = 0;
    this.standing.clear();
    this.health = 'UP';
    return this;
  }

  async start(): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}${this.prefix}`;
    return { url: this.baseUrl, close: () => this.close() };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const record: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, answer: 0 };
    const answer = this.route(req.method ?? '', path, record);
    record.answer = answer.status;
    this.requests.push(record);
    if (answer.status === 'drop') req.socket.destroy();
    else if (answer.status !== 'hang') {
      res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...answer.headers });
      res.end(answer.body);
    }
    this.options.onRequest?.(record);
  }

  private route(method: string, path: string, record: RecordedRequest): Answer {
    if (!path.startsWith(`${this.prefix}/api/v1/`)) return toAnswer(404);
    const rest = path.slice(`${this.prefix}/api/v1/`.length);
    const importMatch = /^products\/import\/([^/]+)$/.exec(rest);
    if (importMatch?.[1] !== undefined) {
      record.rawImporter = importMatch[1];
      record.importer = decodeURIComponent(importMatch[1]).toLowerCase();
      if (method !== 'POST') return toAnswer(405);
      return this.importAnswer(record.importer);
    }
    if (method !== 'GET') return toAnswer(405);
    if (rest === 'health') return this.healthAnswer();
    if (rest === 'version') return toAnswer({ status: 200, body: this.options.version ?? '1.0.0-fake' });
    const product = /^products\/(\d+)$/.exec(rest);
    if (product?.[1] !== undefined && Number(product[1]) < this.nextProductId) {
      return json(200, { id: Number(product[1]) });
    }
    return toAnswer(404);
  }

  private importAnswer(importer: string): Answer {
    const scripted = this.script.shift() ?? this.standing.get(importer);
    if (scripted !== undefined) return this.withLocation(toAnswer(scripted), importer);
    if (this.options.strictImporters === true && !knownImporters.includes(importer)) return toAnswer(200);
    return this.withLocation(toAnswer(201), importer);
  }

  /** A 201 without its own Location gets a new product and a Location relative to the host. */
  private withLocation(answer: Answer, importer: string): Answer {
    if (answer.status !== 201 || answer.headers.location !== undefined) return answer;
    const id = this.nextProductId++;
    return {
      status: 201,
      headers: { ...answer.headers, location: `${this.prefix}/api/v1/products/${id}`, 'content-type': 'application/json' },
      body: answer.body === '' ? JSON.stringify({ id, importer }) : answer.body,
    };
  }

  private healthAnswer(): Answer {
    if (this.health === 'UP' || this.health === 'DOWN') return json(200, { status: this.health });
    return toAnswer(this.health);
  }
}

function toAnswer(answer: FakeAnswer): Answer {
  if (answer === 'drop' || answer === 'hang') return { status: answer, body: '', headers: {} };
  if (typeof answer === 'object') {
    return { status: answer.status, body: answer.body ?? defaultBodies[answer.status] ?? '', headers: lowerKeys(answer.headers ?? {}) };
  }
  const text = String(answer);
  const match = /^(\d{3})(?:\s+([\s\S]*))?$/.exec(text);
  if (match?.[1] === undefined) throw new Error(`fake PMT server: cannot read answer ${JSON.stringify(answer)}`);
  const status = Number(match[1]);
  return { status, body: match[2] ?? (status === 201 ? '' : (defaultBodies[status] ?? '')), headers: {} };
}

function json(status: number, value: unknown): Answer {
  return { status, body: JSON.stringify(value), headers: { 'content-type': 'application/json' } };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // A client that gives up mid-body still leaves a record of what arrived.
    req.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** Started on its own: print the URL, then each request as a JSON line; stop on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const server = new FakePmtServer({
    pathPrefix: process.env.FAKE_PMT_PREFIX,
    onRequest: ({ body, ...rest }) => process.stdout.write(`${JSON.stringify({ ...rest, bodyBytes: body.length })}\n`),
  });
  const { url, close } = await server.start();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  // Closing the server leaves nothing to run, so the process ends by itself.
  const stop = (): void => void close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
