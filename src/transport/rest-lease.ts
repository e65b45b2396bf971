import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from './rest-auth.js';
import { refuse } from './rest-input.js';
import type { RunRegistry } from './rest-runs.js';

/** A line break this often keeps the lease's connection busy: a dead peer is noticed on either side. */
export const LEASE_BEAT_MS = 2_000;

/**
 * `GET /lease` with a run's token: a response that stays open while the run is registered (a line
 * break every LEASE_BEAT_MS) and ends when the run is unregistered or the endpoint closes. The swarm
 * task's watchdog holds it and stops the task when it ends: a task never outlives its pmt.
 */
export function leaseHandler(runs: RunRegistry) {
  return function lease(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    let id: number;
    try {
      id = authenticate(runs, request.headers.authorization).id;
    } catch (error) {
      return refuse(reply, error);
    }
    const body = new PassThrough();
    const beat = setInterval(() => body.write('\n'), LEASE_BEAT_MS);
    const forget = runs.whenEnded(id, () => body.end());
    body.on('close', () => {
      clearInterval(beat);
      forget();
    });
    // At once: the task's curl sees the lease granted, and the headers go out.
    body.write('\n');
    return reply.code(200).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(body);
  };
}
