import type { FastifyReply } from 'fastify';

/**
 * Sends a one-line JSON body (curl `--fail-with-body` prints it as is). Error answers close the
 * connection, so whatever a refused client still sends is not read on a kept-alive socket.
 */
export function sendJson(reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  if (status >= 400) reply.header('connection', 'close');
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}
