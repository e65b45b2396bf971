import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Idle sockets (a stalled upload included) are closed after this long. */
export const IDLE_TIMEOUT_MS = 60_000;
/**
 * Requests held at most while the app is being built (a run's plugins each send one or two; the
 * app is ready well within a second). Beyond it a flood — a TCP endpoint is reachable from the
 * swarm's network — is answered 503 at once instead of piling up sockets and request objects.
 */
export const MAX_HELD_REQUESTS = 256;
/** How long a kept-alive connection waits for its next request (Fastify's default). */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The endpoint's bare `node:http` server: it listens at once (so a TCP endpoint's URL is known
 * without loading Fastify) and holds the requests that arrive before their handler is attached;
 * `serve` then hands them over in arrival order. Its owner sets no other listener: the timeouts and
 * the close are this class's, as Fastify does neither for a server it did not create.
 */
export class RestListener {
  readonly server: Server;
  #handler: RequestHandler | undefined;
  #held: Array<[IncomingMessage, ServerResponse]> = [];
  #closing: Promise<void> | undefined;

  constructor() {
    this.server = createServer((request, response) => {
      if (this.#handler) this.#handler(request, response);
      else if (this.#held.length < MAX_HELD_REQUESTS) this.#held.push([request, response]);
      else refuseOverflow(response);
    });
    this.server.setTimeout(IDLE_TIMEOUT_MS);
    this.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    // No limit on a whole request (a large upload may take long); the idle timeout guards stalls.
    this.server.requestTimeout = 0;
  }

  /** How many requests wait for the handler. */
  get held(): number {
    return this.#held.length;
  }

  /** Listens on a Unix socket path or a TCP host (random port); resolves the port on TCP. */
  listen(target: { readonly path: string } | { readonly host: string }): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        this.server.off('error', onError);
        this.server.off('close', onClose);
      };
      const onError = (error: Error): void => {
        settle();
        reject(error);
      };
      // A close() in the tick the socket was bound: 'listening' then never comes.
      const onClose = (): void => onError(new Error('the listener was closed before it listened'));
      this.server.once('error', onError);
      this.server.once('close', onClose);
      const onListening = (): void => {
        settle();
        resolve('path' in target ? undefined : (this.server.address() as AddressInfo).port);
      };
      if ('path' in target) this.server.listen(target.path, onListening);
      else this.server.listen(0, target.host, onListening);
    });
  }

  /** From now on requests go to `handler`; the held ones first, except those whose client left. */
  serve(handler: RequestHandler): void {
    this.#handler = handler;
    const held = this.#held;
    this.#held = [];
    for (const [request, response] of held) {
      if (!request.socket.destroyed) handler(request, response);
    }
  }

  /** Stops listening and drops every connection (held requests included); idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      this.#held = [];
    }));
  }
}

/** The answer to a request beyond MAX_HELD_REQUESTS: its body is never read, its connection closes. */
function refuseOverflow(response: ServerResponse): void {
  response.writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1' });
  response.end(JSON.stringify({ error: `pmt's REST endpoint is starting and already holds ${MAX_HELD_REQUESTS} requests` }));
}
