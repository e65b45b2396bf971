import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Filestore } from '../../../src/store/filestore.js';
import { openRestEndpoint, type RestAddress, type RestEndpoint, type RestServerModule } from '../../../src/transport/rest-endpoint.js';
import { LICENSEE, KiB, MiB, licenseeParts } from './endpoint-fixture.js';
import { get, multipartBody, type Answer } from './rest-client.js';

// The endpoint listens with a bare node:http server before its Fastify app exists (a swarm
// service needs the port first) and holds what arrives until the app serves it. The app's module
// load is gated here (the test seam of openRestEndpoint), so "before it is ready" is certain.

interface Gate {
  readonly load: () => Promise<RestServerModule>;
  open(): void;
  fail(error: Error): void;
  readonly calls: number;
}

function gatedLoad(): Gate {
  let release!: () => void;
  let reject!: (error: Error) => void;
  const gate = new Promise<void>((resolve, fail) => {
    release = resolve;
    reject = fail;
  });
  const state = { calls: 0 };
  return {
    load: async () => {
      state.calls += 1;
      await gate;
      return import('../../../src/transport/rest-server.js');
    },
    open: () => release(),
    fail: (error) => reject(error),
    get calls() {
      return state.calls;
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(gate: Gate, transport: 'tcp' | 'unix' = 'tcp'): Promise<{ endpoint: RestEndpoint; filestore: Filestore; token: string }> {
  const parent = await mkdtemp(join(tmpdir(), 'pmt-rest-early-'));
  await chmod(parent, 0o755);
  cleanups.push(() => rm(parent, { recursive: true, force: true }));
  const filestore = await Filestore.create({ memoryBytes: MiB, tempParent: parent });
  cleanups.push(() => filestore.close());
  const limits = { maxFileBytes: 256 * KiB, maxRunBytes: 384 * KiB };
  const endpoint = await openRestEndpoint({ filestore, transport, limits, tempParent: parent }, gate.load);
  cleanups.push(() => endpoint.close());
  return { endpoint, filestore, token: endpoint.register({ ...LICENSEE }).token };
}

/**
 * A licensee post that asks `Expect: 100-continue`: node's server answers `100 Continue` as it
 * emits the request, so `arrived` resolves once the endpoint holds (or serves) it; the body follows.
 */
function heldPost(address: RestAddress, token: string, content: string, sendBody = true): { arrived: Promise<void>; answer: Promise<Answer> } {
  const where = address.kind === 'unix' ? { socketPath: address.socketPath } : { host: '127.0.0.1', port: Number(new URL(address.url).port) };
  const body = multipartBody(licenseeParts(content));
  let request!: ClientRequest;
  const answer = new Promise<Answer>((resolve) => {
    request = httpRequest(
      {
        ...where,
        method: 'POST',
        path: '/save',
        headers: { 'content-type': 'multipart/form-data; boundary=----pmt-test-boundary-7d3f', authorization: `Bearer ${token}`, expect: '100-continue' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, headers: {}, body: '', error: error.code ?? error.message }));
  });
  const arrived = new Promise<void>((resolve) => request.once('continue', () => resolve()));
  if (sendBody) request.once('continue', () => body.pipe(request));
  request.flushHeaders();
  return { arrived, answer };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('REST endpoint: requests before its app is ready', () => {
  it('holds a TCP post that arrives before the app exists and serves it once ready, with the token check', async () => {
    const gate = gatedLoad();
    const { endpoint, filestore, token } = await open(gate);
    const early = heldPost(endpoint.address, token, 'early result');
    const intruder = heldPost(endpoint.address, 'not-a-token', 'x');
    await Promise.all([early.arrived, intruder.arrived]);
    expect(gate.calls).toBe(0); // the app's module is not even loading

    const ready = endpoint.ready();
    gate.open();
    await ready;
    const answer = await early.answer;
    expect(answer.status).toBe(200);
    expect(filestore.get(0, 'result.json')?.sha256).toBe(sha256('early result'));
    expect((await intruder.answer).status).toBe(403); // a token no run has
    expect((await get(endpoint.address, '/health')).status).toBe(200);
  });

  it('holds a Unix-socket post that arrives while the app loads', async () => {
    const gate = gatedLoad();
    const { endpoint, filestore, token } = await open(gate, 'unix');
    const ready = endpoint.ready(); // listens, then waits for the module
    await expect.poll(() => gate.calls).toBe(1);
    const early = heldPost(endpoint.address, token, 'unix early');
    await early.arrived;
    gate.open();
    await ready;
    expect((await early.answer).status).toBe(200);
    expect(filestore.get(0, 'result.json')?.sha256).toBe(sha256('unix early'));
  });

  it('answers held and later requests 503 when the app cannot be built, and ready() says why', async () => {
    const gate = gatedLoad();
    const { endpoint, token } = await open(gate);
    const early = heldPost(endpoint.address, token, 'lost');
    await early.arrived;
    const ready = endpoint.ready();
    gate.fail(new Error('module broken'));
    await expect(ready).rejects.toThrow("pmt could not start its REST endpoint: module broken");
    expect((await early.answer).status).toBe(503);
    expect((await get(endpoint.address, '/health')).status).toBe(503);
  });
});

describe('REST endpoint: close() in every state', () => {
  it('before the app was ever started: drops held requests, stops listening, never loads the app', async () => {
    const gate = gatedLoad();
    const { endpoint, token } = await open(gate);
    const held = heldPost(endpoint.address, token, 'held');
    await held.arrived;
    await endpoint.close();
    expect((await held.answer).status).toBe(0);
    expect((await get(endpoint.address, '/health')).error).toBe('ECONNREFUSED');
    await expect(endpoint.ready()).rejects.toThrow('closed');
    expect(gate.calls).toBe(0);
  });

  it('while the app loads: drops held requests at once, and the app is never served', async () => {
    const gate = gatedLoad();
    const { endpoint, token } = await open(gate);
    const held = heldPost(endpoint.address, token, 'held');
    await held.arrived;
    const ready = endpoint.ready();
    await expect.poll(() => gate.calls).toBe(1);
    const closed = endpoint.close();
    expect((await held.answer).status).toBe(0);
    expect((await get(endpoint.address, '/health')).error).toBe('ECONNREFUSED');
    gate.open();
    await closed;
    await expect(ready).rejects.toThrow('closed');
  });

  it('a Unix endpoint closed in the tick its ready() began listening: both settle, nothing listens', async () => {
    const gate = gatedLoad();
    gate.open();
    const { endpoint } = await open(gate, 'unix');
    const ready = endpoint.ready(); // binds the socket; 'listening' would come on the next tick
    const closed = endpoint.close();
    const settled = await Promise.race([
      Promise.allSettled([ready, closed]).then(() => 'settled'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 5_000)),
    ]);
    expect(settled).toBe('settled');
    await expect(ready).rejects.toThrow('closed');
    expect(gate.calls).toBe(0);
  });

  it('once ready: drops open connections and stops listening; idempotent', async () => {
    const gate = gatedLoad();
    gate.open();
    const { endpoint, token } = await open(gate);
    await endpoint.ready();
    // A post whose body never comes holds a connection open.
    const stalled = heldPost(endpoint.address, token, 'unused', false);
    await stalled.arrived;
    await Promise.all([endpoint.close(), endpoint.close()]);
    expect((await stalled.answer).status).toBe(0);
    expect((await get(endpoint.address, '/health')).error).toBe('ECONNREFUSED');
    await endpoint.close();
  });
});
