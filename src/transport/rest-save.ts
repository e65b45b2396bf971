import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PmtError } from '../errors.js';
import { ResultTooLargeError, type Filestore, type PutLimits, type StagedResult } from '../store/filestore.js';
import { REFUSED_BODY_DRAIN, drainRequest } from './rest-drain.js';
import { resultNameProblem } from '../registry/result-name.js';
import { SaveRejection } from './rest-rejection.js';
import { authenticate } from './rest-auth.js';
import { sendJson } from './rest-reply.js';
import type { RegisteredRun, RunRegistry } from './rest-runs.js';

export interface SaveContext {
  readonly runs: RunRegistry;
  readonly filestore: Filestore;
  readonly limits: PutLimits;
}

const ID_PATTERN = /^(0|[1-9][0-9]{0,8})$/;

/** Most files one request may carry; pmt's own upload loop sends at most POST_BATCH_FILES per request. */
export const MAX_FILES_PER_POST = 1000;

/**
 * `POST /save`: header `Authorization: Bearer <token>`; multipart fields `name` and `id`, then one
 * or more file parts `result` (at most MAX_FILES_PER_POST), each named after a declared result.
 * The token is checked before any of the body is read; files stream into the filestore (staged)
 * and are committed only when the whole request has been parsed, so a refused request never leaves
 * anything behind: a request is stored whole or not at all.
 */
export function saveHandler(context: SaveContext) {
  return async function save(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    let run: RegisteredRun | undefined;
    try {
      run = authenticate(context.runs, request.headers.authorization);
      if (!request.isMultipart()) throw new SaveRejection(415, 'the body must be multipart/form-data');
      const staged = await receive(request, run, context);
      if (!run.active) {
        await Promise.all(staged.map((file) => file.abort()));
        throw new SaveRejection(410, `plugin run ${run.id} has ended`);
      }
      const stored = staged.map((file) => file.commit());
      for (const file of stored) request.log.info({ pluginRun: run.id, file: file.name, size: file.size }, 'result received');
      const shown = stored.map((file) => ({ name: file.name, size: file.size, sha256: file.sha256 }));
      return sendJson(reply, 200, { stored: shown.length === 1 ? shown[0] : shown });
    } catch (error) {
      const rejection = toRejection(error);
      if (rejection.status >= 500) request.log.error({ err: error, pluginRun: run?.id }, 'storing a posted result failed');
      else request.log.warn({ pluginRun: run?.id, status: rejection.status, reason: rejection.message }, 'result refused');
      if (run) context.runs.reject(run.id, `HTTP ${rejection.status}: ${rejection.message}`, error instanceof ResultTooLargeError ? error : undefined);
      const ended = await drainRequest(request.raw, REFUSED_BODY_DRAIN);
      if (request.raw.destroyed && !ended) {
        // The client is gone; nobody is left to read an answer.
        reply.hijack();
        reply.raw.destroy();
        return reply;
      }
      if (rejection.status === 401) reply.header('www-authenticate', 'Bearer');
      return sendJson(reply, rejection.status, { error: rejection.message });
    }
  };
}

async function receive(request: FastifyRequest, run: RegisteredRun, context: SaveContext): Promise<StagedResult[]> {
  const fields = new Map<string, string>();
  const staged: StagedResult[] = [];
  const names = new Set<string>();
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (staged.length > 0) throw new SaveRejection(400, `unexpected part ${JSON.stringify(part.fieldname.slice(0, 40))} after the files`);
        readField(fields, part);
        continue;
      }
      const name = checkFilePart(run, fields, part);
      if (names.has(name)) throw new SaveRejection(400, `${JSON.stringify(name)} is sent twice in one request`);
      names.add(name);
      const { file } = part;
      const tooLarge = (): ResultTooLargeError =>
        new ResultTooLargeError({ pluginId: run.id, fileName: name, scope: 'file', limitBytes: context.limits.maxFileBytes });
      // busboy stops passing bytes at the size limit (and marks the file truncated); fail at once
      // instead of parsing the rest. It may have hit the limit before this listener was attached.
      file.once('limit', () => file.destroy(tooLarge()));
      if (file.truncated) throw tooLarge();
      staged.push(await context.filestore.receive(run.id, name, file, context.limits));
      if (file.truncated) throw tooLarge();
    }
  } catch (error) {
    await Promise.all(staged.map((file) => file.abort()));
    throw error;
  }
  if (staged.length === 0) throw new SaveRejection(400, 'the request has no file part "result"');
  return staged;
}

function readField(fields: Map<string, string>, part: MultipartValue): void {
  const key = part.fieldname;
  if (key === 'token') throw new SaveRejection(400, 'send the token in the "Authorization: Bearer" header, not as a field');
  if (key !== 'name' && key !== 'id') throw new SaveRejection(400, `unexpected field ${JSON.stringify(key.slice(0, 40))}`);
  if (fields.has(key)) throw new SaveRejection(400, `field ${JSON.stringify(key)} is given twice`);
  if (part.valueTruncated || typeof part.value !== 'string') throw new SaveRejection(400, `field ${JSON.stringify(key)} is not a short text`);
  fields.set(key, part.value);
}

/** Checks everything known before the file's bytes; returns the file name to store it under. */
function checkFilePart(run: RegisteredRun, fields: ReadonlyMap<string, string>, part: MultipartFile): string {
  if (part.fieldname !== 'result') {
    throw new SaveRejection(400, `the file part must be named "result", not ${JSON.stringify(part.fieldname.slice(0, 40))}`);
  }
  const id = fields.get('id');
  const plugin = fields.get('name');
  if (id === undefined || plugin === undefined) {
    throw new SaveRejection(400, 'fields "name" and "id" must come before the file part "result"');
  }
  if (!ID_PATTERN.test(id)) throw new SaveRejection(400, `field "id" must be a whole number, got ${JSON.stringify(id)}`);
  if (Number(id) !== run.id) throw new SaveRejection(403, `the token is not valid for plugin run ${id}`);
  if (plugin !== run.plugin) {
    throw new SaveRejection(422, `field "name" is ${JSON.stringify(plugin)}, but plugin run ${run.id} is plugin ${JSON.stringify(run.plugin)}`);
  }
  if (!part.filename) throw new SaveRejection(400, 'the file part has no file name');
  // Refused, never reduced to a base name: `../../x` is an attack or a bug, not a request for `x`.
  const problem = resultNameProblem(part.filename);
  if (problem) throw new SaveRejection(400, problem);
  if (!run.results.has(part.filename)) {
    const declared = [...run.results].map((name) => JSON.stringify(name)).join(', ');
    throw new SaveRejection(422, `${JSON.stringify(part.filename)} is not a declared result of plugin ${JSON.stringify(run.plugin)} (declared: ${declared})`);
  }
  return part.filename;
}

const MULTIPART_ERRORS: Record<string, [number, string]> = {
  FST_PARTS_LIMIT: [400, `too many parts: send fields "name" and "id" and at most ${MAX_FILES_PER_POST} file parts "result"`],
  FST_FILES_LIMIT: [400, `at most ${MAX_FILES_PER_POST} files are accepted per request`],
  FST_FIELDS_LIMIT: [400, 'too many fields: send only "name" and "id"'],
  FST_REQ_FILE_TOO_LARGE: [413, 'the result file is larger than the limit per file'],
  FST_PROTO_VIOLATION: [400, 'unexpected field name'],
  FST_INVALID_JSON_FIELD_ERROR: [400, 'a field is not valid JSON'],
  FST_MP_PREMATURE_CLOSE: [400, 'the request ended before the multipart body was complete'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'the body must be multipart/form-data'],
};
/** Errors busboy raises on a malformed body (plain Errors without a code). */
const MALFORMED = /multipart|boundary|part header|terminated early|unexpected end/i;

function toRejection(error: unknown): SaveRejection {
  if (error instanceof SaveRejection) return error;
  if (error instanceof ResultTooLargeError) return new SaveRejection(413, error.message);
  // The filestore dropped the file: the run was discarded or pmt is shutting down.
  if (error instanceof PmtError) return new SaveRejection(503, error.message);
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? MULTIPART_ERRORS[code] : undefined;
  if (known) return new SaveRejection(known[0], known[1]);
  if (error instanceof Error && code === undefined && MALFORMED.test(error.message)) {
    return new SaveRejection(400, `malformed multipart body: ${error.message}`);
  }
  return new SaveRejection(500, 'pmt could not store the result (see pmt’s log)');
}
