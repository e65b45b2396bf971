import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Filestore, PutLimits, ResultTooLargeError } from '../store/filestore.js';
import { PmtError } from '../errors.js';
import { RunRegistry, type RunRegistration } from './rest-runs.js';
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

/** What the server module answers once it listens. */
export interface ListeningServer {
  /** The port, when listening on TCP. */
  readonly port: number | undefined;
  close(): Promise<void>;
}

/**
 * Opens the run's endpoint. On a Unix socket its address is fixed before the server exists, so
 * the server (Fastify: most of what a scan loads) is loaded and started only on the first
 * `ready()` — which the agent calls while the engine starts the first container, i.e. while pmt
 * would only wait. TCP needs its port for the containers' set-up, so it starts listening here.
 */
export async function openRestEndpoint(options: RestEndpointOptions): Promise<RestEndpoint> {
  const host = options.host ?? '127.0.0.1';
  if (isWildcard(host)) {
    throw new PmtError(`pmt's REST endpoint must listen on one address, not ${host}`, { origin: 'config', hint: 'give the address the swarm nodes reach this machine at' });
  }
  const runs = new RunRegistry();
  const socket = options.transport === 'unix' ? await createSocketDir(options.tempParent) : undefined;
  let listening: Promise<ListeningServer> | undefined;
  const listen = (): Promise<ListeningServer> =>
    (listening ??= import('./rest-server.js').then(({ listenRestServer }) =>
      listenRestServer(options, runs, socket ? { path: socket.socketPath } : { host, port: 0 }),
    ));
  const removeSocketDir = async (): Promise<void> => {
    if (socket) await rm(socket.dir, { recursive: true, force: true });
  };

  let address: RestAddress;
  if (socket) {
    address = { kind: 'unix', hostDir: socket.dir, socketPath: socket.socketPath };
  } else {
    const { port } = await listen();
    address = { kind: 'tcp', url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
  }

  let closing: Promise<void> | undefined;
  return {
    address,
    ready: async () => {
      await listen();
    },
    register: (run) => runs.register(run),
    unregister: (id) => runs.unregister(id),
    rejections: (id) => runs.rejections(id),
    tooLarge: (id) => runs.tooLarge(id),
    inputProblem: (id) => runs.inputProblem(id),
    close: () =>
      (closing ??= (async () => {
        await (await listening?.catch(() => undefined))?.close();
        await removeSocketDir();
      })()),
  };
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

/** `0.0.0.0`, `::` and their spellings: every address of the machine. */
function isWildcard(host: string): boolean {
  return /^(0+\.0+\.0+\.0+|\[?[0:]*:[0:]*\]?|0)$/.test(host.trim()) || host.trim() === '';
}
