import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_HELD_REQUESTS, RestListener } from '../../../src/transport/rest-listener.js';

// Requests that arrive before the endpoint's app exists are held; a flood beyond the bound is
// refused at once rather than holding sockets without end.

const listeners: RestListener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
});

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/health', agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('RestListener: held requests', () => {
  it(`holds up to ${MAX_HELD_REQUESTS} requests, answers the next 503 at once, and serves the held ones in order once a handler comes`, async () => {
    const listener = new RestListener();
    listeners.push(listener);
    const port = (await listener.listen({ host: '127.0.0.1' }))!;
    const held = Array.from({ length: MAX_HELD_REQUESTS }, () => get(port));
    await expect.poll(() => listener.held, { timeout: 10_000 }).toBe(MAX_HELD_REQUESTS);

    const overflow = await get(port);
    expect(overflow.status).toBe(503);
    expect(JSON.parse(overflow.body)).toEqual({ error: `pmt's REST endpoint is starting and already holds ${MAX_HELD_REQUESTS} requests` });
    expect(listener.held).toBe(MAX_HELD_REQUESTS);

    let served = 0;
    listener.serve((_request, response) => {
      served += 1;
      response.end(String(served));
    });
    const answers = await Promise.all(held);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(served).toBe(MAX_HELD_REQUESTS);
    expect(listener.held).toBe(0);
    expect((await get(port)).status).toBe(200); // later requests go straight to the handler
  });
});
