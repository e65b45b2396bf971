import type { FastifyReply, FastifyRequest } from 'fastify';
import { packInput } from '../docker/input-archive.js';
import { authenticate } from './rest-auth.js';
import { SaveRejection } from './rest-rejection.js';
import { sendJson } from './rest-reply.js';
import type { RegisteredRun, RunRegistry } from './rest-runs.js';

/** Who owns the shipped input unless the task asks for another owner (its plugin runs as this uid). */
export const INPUT_OWNER = 65534;

const OWNER_PATTERN = /^[1-9][0-9]{0,9}$/;

/**
 * `GET /input[?owner=UID]` with a run's token: its input directory as a tar stream (the same
 * selection as the local copy mode, every entry owned by `owner` — default INPUT_OWNER — without
 * group/other write bits, the root `./` included), once per token: a second request gets 410.
 * Streamed with back-pressure; a client that goes away stops the packing. Why a send failed stays
 * with the run (`inputProblem`), so pmt can say it instead of the task's curl error.
 */
export function inputHandler(runs: RunRegistry) {
  return async function input(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    let run: RegisteredRun;
    try {
      run = authenticate(runs, request.headers.authorization);
    } catch (error) {
      return refuse(reply, error);
    }
    const owner = ownerOf(request.query);
    if (owner === undefined) return sendJson(reply, 400, { error: 'owner must be a uid from 1 to 4294967294' });
    const taken = runs.takeInput(run.id);
    if (taken === 'none') return sendJson(reply, 404, { error: `plugin run ${run.id} has no input to fetch` });
    if (taken === 'fetched') return sendJson(reply, 410, { error: `the input of plugin run ${run.id} was fetched already` });
    try {
      const packed = await packInput(taken.dir, { respectGitignore: taken.respectGitignore, exclude: taken.exclude, owner });
      packed.stream.on('error', (error: Error) => runs.inputFailed(run.id, error));
      request.log.info({ pluginRun: run.id }, 'sending the input');
      return reply.code(200).type('application/x-tar').header('cache-control', 'no-store').send(packed.stream);
    } catch (error) {
      runs.inputFailed(run.id, error as Error);
      throw error;
    }
  };
}

function ownerOf(query: unknown): number | undefined {
  const given = (query as Record<string, unknown> | undefined)?.owner;
  if (given === undefined) return INPUT_OWNER;
  if (typeof given !== 'string' || !OWNER_PATTERN.test(given)) return undefined;
  const owner = Number(given);
  return owner <= 4294967294 ? owner : undefined;
}

export function refuse(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof SaveRejection)) throw error;
  if (error.status === 401) reply.header('www-authenticate', 'Bearer');
  return sendJson(reply, error.status, { error: error.message });
}
