import { chmod, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Filestore, PutLimits, ResultTooLargeError } from '../store/filestore.js';
import { isWildcard } from '../config/advertise-addr.js';
import { PmtError } from '../errors.js';
import { REFUSED_BODY_DRAIN, drainRequest } from './rest-drain.js';
import { RestListener } from './rest-listener.js';
import { RunRegistry, type RunRegistration } from './rest-runs.js';
import type { RestApp } from './rest-server.js';
import { createSocketDir } from './rest-socket-dir.js';

export type RestAddress =
  | { readonly kind: 'unix'; readonly hostDir: string; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly url: string };

/** The run's embedded endpoint where plugin containers post their result files. */
export interface RestEndpoint {
  readonly address: RestAddress;
  /**
   * Starts the server unless it runs already; resolves once it accepts connections, rejects (a
   * PmtError) when it could not start.
   */
  ready(): Promise<void>;
  /**
   * Allows a plugin run to post its declared results (and, with `input`, a swarm task to fetch that
   * input once and hold a lease); returns its fresh token (never logged).
   */
  register(run: RunRegistration): { token: string };
  /** After the plugin run ends: its token then gets 410, its leases end. Its rejections stay readable. */
  unregister(id: number): void;
  /** Why posts of this plugin run were refused, oldest first (`HTTP <status>: <reason>`). */
  rejections(id: number): readonly string[];
  /** The first size-limit error of this plugin run's posts: the plugin fails with exactly it, as by archive copy. */
  tooLarge(id: number): ResultTooLargeError | undefined;
  /** Why sending this run's input (GET /input) failed, if it did: a packing error (unreadable, changed file). */
  inputProblem(id: number): Error | undefined;
  /** Idempotent; drops open connections and removes the socket directory. */
  close(): Promise<void>;
}

export interface RestEndpointOptions {
  readonly filestore: Filestore;
  /** `unix`: a socket in a private directory, to bind-mount into containers; `tcp`: `host`, random port. */
  readonly transport: 'unix' | 'tcp';
  /**
   * TCP only: the address to listen on (swarm: the advertise address the nodes reach); default
   * 127.0.0.1. Never a wildcard (`0.0.0.0`, `::`): pmt listens on one address only.
   */
  readonly host?: string;
  readonly limits: PutLimits;
  /** Fastify logs through a child `{component: 'REST endpoint'}`; without one it logs nothing. */
  readonly logger?: Logger;
  /** Where the socket directory is created; default `os.tmpdir()`. */
  readonly tempParent?: string;
}

/** The module that builds the Fastify app (most of what a scan loads); a test seam. */
export type RestServerModule = Pick<typeof import('./rest-server.js'), 'serveRestApp'>;

/**
 * Opens the run's endpoint. A bare `node:http` server takes the address at once — on TCP here, as
 * the containers' set-up needs its port; a Unix socket's path is known before — and holds what
 * arrives until the Fastify app serves it. That app (most of what a scan loads) is loaded and built
 * only on the first `ready()`, which the agents call while the engine starts their containers (once
 * every start has been asked for: see StartWave) or the swarm its first task, i.e. while pmt would
 * only wait.
 */
export async function openRestEndpoint(
  options: RestEndpointOptions,
  loadServer: () => Promise<RestServerModule> = () => import('./rest-server.js'),
): Promise<RestEndpoint> {
  const host = options.host ?? '127.0.0.1';
  if (isWildcardHost(host)) {
    throw new PmtError(`pmt's REST endpoint must listen on one address, not ${host}`, { origin: 'config', hint: 'give the address the swarm nodes reach this machine at' });
  }
  const runs = new RunRegistry();
  const listener = new RestListener();
  const socket = options.transport === 'unix' ? await createSocketDir(options.tempParent) : undefined;
  const listen = async (): Promise<number | undefined> => {
    try {
      const port = await listener.listen(socket ? { path: socket.socketPath } : { host });
      if (socket) await chmod(socket.socketPath, 0o666);
      return port;
    } catch (error) {
      await listener.close();
      throw startFailure(error);
    }
  };
  const removeSocketDir = async (): Promise<void> => {
    if (socket) await rm(socket.dir, { recursive: true, force: true });
  };

  const address: RestAddress = socket
    ? { kind: 'unix', hostDir: socket.dir, socketPath: socket.socketPath }
    : { kind: 'tcp', url: `http://${host.includes(':') ? `[${host}]` : host}:${await listen()}` };

  let closed = false;
  let serving: Promise<RestApp> | undefined;
  const start = async (): Promise<RestApp> => {
    if (socket) {
      try {
        await listen();
      } catch (error) {
        throw closed ? closedError() : error;
      }
    }
    let app: RestApp | undefined;
    try {
      const { serveRestApp } = await loadServer();
      if (!closed) app = await serveRestApp(options, runs, listener);
    } catch (error) {
      // What waits, and what comes, is answered rather than left hanging.
      listener.serve(refuseRequest);
      throw startFailure(error);
    }
    if (closed) {
      await app?.close();
      throw closedError();
    }
    return app!;
  };
  let closing: Promise<void> | undefined;
  return {
    address,
    ready: async () => {
      await (serving ??= closed ? Promise.reject(closedError()) : start());
    },
    register: (run) => runs.register(run),
    unregister: (id) => runs.unregister(id),
    rejections: (id) => runs.rejections(id),
    tooLarge: (id) => runs.tooLarge(id),
    inputProblem: (id) => runs.inputProblem(id),
    close: () =>
      (closing ??= (async () => {
        closed = true;
        // Connections (held requests included) go first; an app still loading closes itself.
        await listener.close();
        await (await serving?.catch(() => undefined))?.close();
        await removeSocketDir();
      })()),
  };
}

function startFailure(error: unknown): PmtError {
  return new PmtError(`pmt could not start its REST endpoint: ${error instanceof Error ? error.message : String(error)}`, {
    origin: 'pmt',
    hint: 'set restApi to false in the core engine config to collect results by archive copy instead',
    cause: error,
  });
}

/** The answer while the app could not be built: the plugin's upload fails and pmt reports why. */
function refuseRequest(request: IncomingMessage, response: ServerResponse): void {
  void drainRequest(request, REFUSED_BODY_DRAIN).then(() => {
    response.writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
    response.end(JSON.stringify({ error: "pmt's REST endpoint could not start" }));
  });
}

function closedError(): PmtError {
  return new PmtError('pmt\'s REST endpoint was closed before it could serve', { origin: 'pmt' });
}

/** Opens the endpoint and waits until it accepts connections. */
export async function startRestEndpoint(options: RestEndpointOptions): Promise<RestEndpoint> {
  const endpoint = await openRestEndpoint(options);
  try {
    await endpoint.ready();
    return endpoint;
  } catch (error) {
    await endpoint.close();
    throw error;
  }
}

/** `0.0.0.0`, `::` and their spellings (`::ffff:0.0.0.0` too), or no address at all. */
function isWildcardHost(host: string): boolean {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  // `0` and `00.0.0.0` are no IP for node, but the resolver reads them as 0.0.0.0.
  return bare === '' || /^(0+\.0+\.0+\.0+|0+)$/.test(bare) || isWildcard(bare);
}
