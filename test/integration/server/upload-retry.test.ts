import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uploadResult, uploadResults, type UploadAttemptInfo } from '../../../src/sinks/pmt-server.js';
import { FakePmtServer } from '../../support/fake-pmt-server.js';
import { bufferItem, recordingSleep } from './upload-items.js';

let server: FakePmtServer;
const body = Buffer.from('SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\n');
const item = () => bufferItem('result.spdx', body);

beforeEach(async () => {
  server = new FakePmtServer();
  await server.start();
});

afterEach(async () => {
  await server.close();
});

describe('uploadResult retries', () => {
  it('uploads after 503, 503, 201 in three attempts, resending the whole body each time', async () => {
    server.respondWith(['503', '503', 201]);
    const sleep = recordingSleep();
    const attempts: UploadAttemptInfo[] = [];
    const outcome = await uploadResult(item(), { baseUrl: server.url, sleep, onAttempt: (a) => attempts.push(a) });

    expect(outcome).toMatchObject({ status: 'uploaded', httpStatus: 201, attempts: 3, location: `${server.url}/api/v1/products/1` });
    expect(server.uploads.map((r) => r.answer)).toEqual([503, 503, 201]);
    expect(server.uploads.every((r) => r.body.equals(body))).toBe(true);
    expect(sleep.calls).toHaveLength(2);
    expect(attempts.map((a) => [a.attempt, a.httpStatus, a.willRetry])).toEqual([
      [1, 503, true],
      [2, 503, true],
      [3, 201, false],
    ]);
    expect(attempts[0]?.message).toBe('PMT server answered 503 Service Unavailable: service unavailable');
  });

  it('uploads after a dropped connection in two attempts', async () => {
    server.respondWith(['drop', 201]);
    const outcome = await uploadResult(item(), { baseUrl: server.url, sleep: recordingSleep() });

    expect(outcome).toMatchObject({ status: 'uploaded', attempts: 2, httpStatus: 201 });
    expect(server.uploads.map((r) => r.answer)).toEqual(['drop', 201]);
  });

  it('gives up after retries + 1 attempts when every connection is dropped', async () => {
    server.answerImporter('spdx', 'drop');
    const sleep = recordingSleep();
    const outcome = await uploadResult(item(), { baseUrl: server.url, retries: 4, sleep });

    expect(outcome).toMatchObject({ status: 'failed', attempts: 5, message: 'connection closed without an answer (5 attempts)' });
    expect(outcome.httpStatus).toBeUndefined();
    expect(server.uploads).toHaveLength(5);
    expect(sleep.calls).toHaveLength(4);
  });

  it('makes 1 + 3 attempts by default and reports the last server message', async () => {
    server.answerImporter('spdx', '502 upstream importer unavailable');
    const outcome = await uploadResult(item(), { baseUrl: server.url, sleep: recordingSleep() });

    expect(outcome).toMatchObject({
      status: 'failed',
      httpStatus: 502,
      attempts: 4,
      message: 'PMT server answered 502 Bad Gateway: upstream importer unavailable (4 attempts)',
    });
  });

  it('does not retry a 500', async () => {
    server.respondWith(['500 NullPointerException in SPDX importer', 201]);
    const outcome = await uploadResult(item(), { baseUrl: server.url, sleep: recordingSleep() });

    expect(outcome).toMatchObject({ status: 'failed', httpStatus: 500, attempts: 1 });
    expect(outcome.message).toBe('PMT server answered 500 Internal Server Error: NullPointerException in SPDX importer');
    expect(server.uploads).toHaveLength(1);
  });

  it('stops retrying at a permanent answer that follows transient ones', async () => {
    server.respondWith(['504', '400 unsupported SPDX version', 201]);
    const outcome = await uploadResult(item(), { baseUrl: server.url, sleep: recordingSleep() });

    expect(outcome).toMatchObject({ status: 'failed', httpStatus: 400, attempts: 2 });
    expect(outcome.message).toBe('PMT server answered 400 Bad Request: unsupported SPDX version (2 attempts)');
    expect(server.uploads).toHaveLength(2);
  });

  it('fails with "connection refused" on a port that was just closed', async () => {
    const gone = new FakePmtServer();
    const { url, close } = await gone.start();
    await close();
    const sleep = recordingSleep();
    const outcome = await uploadResult(item(), { baseUrl: url, retries: 2, sleep });

    expect(outcome).toMatchObject({ status: 'failed', attempts: 3, message: 'connection refused (3 attempts)' });
    expect(sleep.calls).toHaveLength(2);
  });

  it('retries an attempt that gets no answer within timeoutMs', async () => {
    server.respondWith(['hang', 201]);
    const outcome = await uploadResult(item(), { baseUrl: server.url, timeoutMs: 200, sleep: recordingSleep() });

    expect(outcome).toMatchObject({ status: 'uploaded', attempts: 2 });
    expect(server.uploads.map((r) => r.answer)).toEqual(['hang', 201]);
  });
});

describe('retry delays', () => {
  it('backs off exponentially with jitter, capped at maxDelayMs', async () => {
    server.answerImporter('spdx', 503);
    const low = recordingSleep();
    const high = recordingSleep();
    const options = { baseUrl: server.url, retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    await uploadResult(item(), { ...options, sleep: low, random: () => 0 });
    await uploadResult(item(), { ...options, sleep: high, random: () => 1 });

    expect(low.calls).toEqual([50, 100, 200, 400, 500]);
    expect(high.calls).toEqual([100, 200, 400, 800, 1000]);
  });

  it('honours Retry-After on 429, bounded by maxDelayMs', async () => {
    server.respondWith([
      { status: 429, headers: { 'Retry-After': '2' } },
      { status: 429, headers: { 'Retry-After': '3600' } },
      201,
    ]);
    const sleep = recordingSleep();
    const outcome = await uploadResult(item(), { baseUrl: server.url, maxDelayMs: 5000, sleep });

    expect(outcome).toMatchObject({ status: 'uploaded', attempts: 3 });
    expect(sleep.calls).toEqual([2000, 5000]);
  });

  it('never retries other 4xx', async () => {
    for (const status of [401, 403, 404, 408, 413, 415, 422]) {
      server.reset().respondWith([status, 201]);
      const outcome = await uploadResult(item(), { baseUrl: server.url, sleep: recordingSleep() });
      expect(outcome, String(status)).toMatchObject({ status: 'failed', httpStatus: status, attempts: 1 });
    }
  });
});

describe('abort', () => {
  it('stops between attempts when the signal aborts during the backoff', async () => {
    server.answerImporter('spdx', 503);
    const controller = new AbortController();
    const started = Date.now();
    // The real sleep with a long delay: only the abort can end it early.
    const outcome = await uploadResult(item(), {
      baseUrl: server.url,
      baseDelayMs: 30_000,
      maxDelayMs: 30_000,
      signal: controller.signal,
      onAttempt: () => setTimeout(() => controller.abort(), 20),
    });

    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 503, message: 'aborted' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.uploads).toHaveLength(1);
  });

  it('stops an attempt in flight', async () => {
    const controller = new AbortController();
    const hanging = new FakePmtServer({ onRequest: () => controller.abort() });
    const { url, close } = await hanging.start();
    hanging.answerImporter('spdx', 'hang');
    try {
      const outcome = await uploadResult(item(), { baseUrl: url, signal: controller.signal, sleep: recordingSleep() });
      expect(outcome).toMatchObject({ status: 'failed', attempts: 1, message: 'aborted' });
      expect(hanging.uploads).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it('marks the items after an abort as aborted without sending them', async () => {
    const controller = new AbortController();
    const items = ['a', 'b', 'c'].map((n) => bufferItem(`${n}.spdx`, Buffer.from(n)));
    server.respondWith([201, 503]);
    const outcomes = await uploadResults(items, {
      baseUrl: server.url,
      signal: controller.signal,
      sleep: async (_ms, signal) => {
        controller.abort();
        throw signal?.reason;
      },
    });

    expect(outcomes.map((o) => [o.fileName, o.status, o.attempts, o.message])).toEqual([
      ['a.spdx', 'uploaded', 1, undefined],
      ['b.spdx', 'failed', 1, 'aborted'],
      ['c.spdx', 'failed', 0, 'aborted'],
    ]);
    expect(server.uploads).toHaveLength(2);
  });
});
