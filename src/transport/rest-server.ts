import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { REFUSED_BODY_DRAIN, drainRequest } from './rest-drain.js';
import { sendJson } from './rest-reply.js';
import type { RestEndpointOptions } from './rest-endpoint.js';
import type { RestListener, RequestHandler } from './rest-listener.js';
import type { RunRegistry } from './rest-runs.js';
import { inputHandler } from './rest-input.js';
import { leaseHandler } from './rest-lease.js';
import { MAX_FILES_PER_POST, saveHandler } from './rest-save.js';

/** The run's Fastify app, serving the requests of a listener it did not create. */
export interface RestApp {
  /** Closes the app (its plugins' hooks); the listener's owner closes the server and its connections. */
  close(): Promise<void>;
}

/**
 * Builds the Fastify app of a run's endpoint on the listener's server (Fastify's `serverFactory`:
 * it neither listens, nor sets the server's timeouts, nor closes it) and, once the app is ready,
 * hands the listener's held requests and all later ones to it.
 */
export async function serveRestApp(options: RestEndpointOptions, runs: RunRegistry, listener: RestListener): Promise<RestApp> {
  let handler: RequestHandler | undefined;
  const app = await buildApp(options, runs, (fastifyHandler) => {
    handler = fastifyHandler;
    return listener.server;
  });
  try {
    await app.ready();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  listener.serve(handler!);
  return { close: () => app.close() };
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

async function buildApp(
  options: RestEndpointOptions,
  runs: RunRegistry,
  serverFactory: (handler: RequestHandler) => RestListener['server'],
): Promise<FastifyInstance> {
  const app = Fastify({
    serverFactory,
    ...(options.logger ? { loggerInstance: restLogger(options.logger) } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    // Only multipart bodies are parsed (as a stream); anything else is refused unread.
    bodyLimit: 64 * 1024,
    // No route declares a schema. Fastify would otherwise build Ajv and fast-json-stringify
    // compilers for them at every start (~12 ms of CPU per scan, Ajv's whole library loaded).
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
  });
  app.removeAllContentTypeParsers();
  await app.register(multipart, {
    // Names are checked, never reduced to a base name (busboy would turn `../../x` into `x`).
    preservePath: true,
    limits: {
      fileSize: options.limits.maxFileBytes,
      files: MAX_FILES_PER_POST,
      fields: 4,
      parts: MAX_FILES_PER_POST + 4,
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
  // A swarm task's input (once) and its lease on this pmt (see src/swarm/task-script.ts).
  app.get('/input', inputHandler(runs));
  app.get('/lease', leaseHandler(runs));
  return app;
}

/** The compiler factory for schemas pmt's routes do not have: a route that adds one fails to register. */
function noSchemas(): never {
  throw new Error("pmt's REST routes declare no schemas; give the route's validation its own compiler");
}
