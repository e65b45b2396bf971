import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { chmod, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { PmtError } from '../errors.js';
import type { Filestore, PutLimits } from '../store/filestore.js';
import { REFUSED_BODY_DRAIN, drainRequest } from './rest-drain.js';
import { sendJson } from './rest-reply.js';
import { RunRegistry } from './rest-runs.js';
import { saveHandler } from './rest-save.js';
import { createSocketDir } from './rest-socket-dir.js';

export type RestAddress =
  | { readonly kind: 'unix'; readonly hostDir: string; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly url: string };

/** The run's embedded endpoint where plugin containers post their result files. */
export interface RestEndpoint {
  readonly address: RestAddress;
  /** Allows a plugin run to post its declared results; returns its fresh token (never logged). */
  register(run: { id: number; plugin: string; results: readonly string[] }): { token: string };
  /** After the plugin run ends: its token then gets 410. Its rejections stay readable. */
  unregister(id: number): void;
  /** Why posts of this plugin run were refused, oldest first (`HTTP <status>: <reason>`). */
  rejections(id: number): readonly string[];
  /** Idempotent; drops open connections and removes the socket directory. */
  close(): Promise<void>;
}

export interface RestEndpointOptions {
  readonly filestore: Filestore;
  /** `unix`: a socket in a private directory, to bind-mount into containers; `tcp`: 127.0.0.1, random port. */
  readonly transport: 'unix' | 'tcp';
  readonly limits: PutLimits;
  /** Fastify logs through a child `{component: 'REST endpoint'}`; without one it logs nothing. */
  readonly logger?: Logger;
  /** Where the socket directory is created; default `os.tmpdir()`. */
  readonly tempParent?: string;
}

/** Idle sockets (a stalled upload included) are closed after this long. */
const IDLE_TIMEOUT_MS = 60_000;

export async function startRestEndpoint(options: RestEndpointOptions): Promise<RestEndpoint> {
  const runs = new RunRegistry();
  const app = await buildApp(options, runs);
  let socketDir: string | undefined;
  let address: RestAddress;
  try {
    if (options.transport === 'unix') {
      const { dir, socketPath } = await createSocketDir(options.tempParent);
      socketDir = dir;
      await app.listen({ path: socketPath });
      // Connectable by any container user; the token is the protection.
      await chmod(socketPath, 0o666);
      address = { kind: 'unix', hostDir: dir, socketPath };
    } else {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      address = { kind: 'tcp', url: `http://127.0.0.1:${port}` };
    }
  } catch (error) {
    await app.close();
    if (socketDir) await rm(socketDir, { recursive: true, force: true });
    if (error instanceof PmtError) throw error;
    throw new PmtError(`pmt could not start its REST endpoint: ${error instanceof Error ? error.message : String(error)}`, {
      origin: 'pmt',
      hint: 'set restApi to false in the core engine config to collect results by archive copy instead',
      cause: error,
    });
  }

  let closing: Promise<void> | undefined;
  return {
    address,
    register: (run) => runs.register(run),
    unregister: (id) => runs.unregister(id),
    rejections: (id) => runs.rejections(id),
    close: () =>
      (closing ??= (async () => {
        await app.close();
        if (socketDir) await rm(socketDir, { recursive: true, force: true });
      })()),
  };
}

/**
 * The endpoint's child logger. Tokens travel in the Authorization header; @fastify/multipart logs
 * the parser options, headers included, at trace level, so that key is dropped and any logged
 * Authorization header is redacted.
 */
function restLogger(logger: Logger): FastifyBaseLogger {
  const child = logger.child(
    { component: 'REST endpoint' },
    {
      serializers: { busboyOptions: () => '[omitted]' },
      redact: { paths: ['headers.authorization', 'req.headers.authorization', 'request.headers.authorization'], censor: '[redacted]' },
    },
  );
  return child as FastifyBaseLogger;
}

async function buildApp(options: RestEndpointOptions, runs: RunRegistry): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: restLogger(options.logger) } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    connectionTimeout: IDLE_TIMEOUT_MS,
    forceCloseConnections: true,
    // Only multipart bodies are parsed (as a stream); anything else is refused unread.
    bodyLimit: 64 * 1024,
  });
  app.removeAllContentTypeParsers();
  await app.register(multipart, {
    // Names are checked, never reduced to a base name (busboy would turn `../../x` into `x`).
    preservePath: true,
    limits: {
      fileSize: options.limits.maxFileBytes,
      files: 1,
      fields: 4,
      parts: 6,
      fieldNameSize: 100,
      fieldSize: 1024,
      headerPairs: 20,
    },
  });
  // Fastify's own refusals (unsupported content type, bad request line) and unknown routes answer
  // like /save does: one-line JSON, after reading a little of the body.
  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'REST request failed');
    await drainRequest(request.raw, REFUSED_BODY_DRAIN);
    const message = status === 500 ? 'internal error' : status === 415 ? 'the body must be multipart/form-data' : (error.message ?? 'bad request');
    return sendJson(reply, status, { error: message });
  });
  app.setNotFoundHandler(async (request, reply) => {
    await drainRequest(request.raw, REFUSED_BODY_DRAIN);
    return sendJson(reply, 404, { error: `no route ${request.method} ${request.url.slice(0, 100)}` });
  });
  app.get('/health', (_request, reply) => sendJson(reply, 200, { status: 'UP' }));
  app.post('/save', saveHandler({ runs, filestore: options.filestore, limits: options.limits }));
  return app;
}
