import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PmtError } from '../../../src/errors.js';
import { uploadResult, uploadResults } from '../../../src/sinks/pmt-server.js';
import { FakePmtServer } from '../../support/fake-pmt-server.js';
import { allByteValues, bufferItem, fileItem, recordingSleep } from './upload-items.js';

let server: FakePmtServer;
let dir: string;

beforeEach(async () => {
  server = new FakePmtServer();
  await server.start();
  dir = await mkdtemp(join(tmpdir(), 'pmt-upload-'));
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('uploadResult body and headers', () => {
  it('sends a binary file with all 256 byte values byte for byte', async () => {
    const bytes = allByteValues();
    const outcome = await uploadResult(bufferItem('all-bytes.bin', bytes, 'file-hasher'), { baseUrl: server.url });

    expect(outcome.status).toBe('uploaded');
    const [request] = server.uploads;
    expect(request?.body.equals(bytes)).toBe(true);
    expect(request?.headers['content-length']).toBe('256');
    expect(request?.headers['content-type']).toBe('application/octet-stream');
    expect(request?.headers['transfer-encoding']).toBeUndefined();
  });

  it('streams a 5 MiB file from disk unchanged', async () => {
    const bytes = randomBytes(5 * 1024 * 1024);
    const path = join(dir, 'big.spdx');
    await writeFile(path, bytes);

    const outcome = await uploadResult(await fileItem(path, 'big.spdx'), { baseUrl: server.url });

    expect(outcome).toMatchObject({ status: 'uploaded', httpStatus: 201, attempts: 1 });
    expect(server.uploads).toHaveLength(1);
    expect(server.uploads[0]?.body.length).toBe(bytes.length);
    expect(server.uploads[0]?.body.equals(bytes)).toBe(true);
    expect(server.uploads[0]?.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('posts to the importer named in the path, as given', async () => {
    await uploadResult(bufferItem('bom.json', Buffer.from('{"installed":[]}'), 'composer'), { baseUrl: server.url });
    await uploadResult(bufferItem('r.spdx', Buffer.from('SPDXVersion: SPDX-2.2\n'), 'ScanCode'), { baseUrl: server.url });

    expect(server.uploads.map((r) => [r.method, r.path, r.importer])).toEqual([
      ['POST', '/api/v1/products/import/composer', 'composer'],
      ['POST', '/api/v1/products/import/ScanCode', 'scancode'],
    ]);
  });

  it('URL-encodes the importer segment', async () => {
    const outcome = await uploadResult(bufferItem('x.txt', Buffer.from('x'), 'my importer/v2'), { baseUrl: server.url });

    expect(server.uploads[0]?.rawImporter).toBe('my%20importer%2Fv2');
    expect(server.uploads[0]?.importer).toBe('my importer/v2');
    expect(outcome.url).toBe(`${server.url}/api/v1/products/import/my%20importer%2Fv2`);
  });

  it.each([
    ['result.json', 'application/json'],
    ['result.spdx', 'text/plain; charset=utf-8'],
    ['notes.TXT', 'text/plain; charset=utf-8'],
    ['bom.xml', 'application/xml'],
    ['doc.rdf', 'application/rdf+xml'],
    ['out.yml', 'application/yaml'],
    ['out.yaml', 'application/yaml'],
    ['report.spdx.json', 'application/json'],
    ['LICENSE', 'application/octet-stream'],
  ])('sends %s as %s', async (fileName, contentType) => {
    await uploadResult(bufferItem(fileName, Buffer.from('data')), { baseUrl: server.url });
    expect(server.uploads[0]?.headers['content-type']).toBe(contentType);
  });
});

describe('uploadResult answers', () => {
  it('reports 201 with the Location resolved against the request URL', async () => {
    const outcome = await uploadResult(bufferItem('r.spdx', Buffer.from('x')), { baseUrl: server.url });

    expect(outcome).toEqual({
      plugin: 'test-plugin',
      fileName: 'r.spdx',
      importer: 'spdx',
      url: `${server.url}/api/v1/products/import/spdx`,
      status: 'uploaded',
      httpStatus: 201,
      location: `${server.url}/api/v1/products/1`,
      attempts: 1,
    });
  });

  it('keeps an absolute Location as it is', async () => {
    server.respondWith([{ status: 201, headers: { Location: 'http://pmt.example/api/v1/products/42' } }]);
    const outcome = await uploadResult(bufferItem('r.spdx', Buffer.from('x')), { baseUrl: server.url });
    expect(outcome.location).toBe('http://pmt.example/api/v1/products/42');
  });

  it('treats 200 "no importer" as ignored, with the server text', async () => {
    server.answerImporter('licensee', 200);
    const outcome = await uploadResult(bufferItem('l.json', Buffer.from('{}'), 'licensee'), { baseUrl: server.url });

    expect(outcome).toMatchObject({ status: 'ignored', httpStatus: 200, attempts: 1, message: 'no importer' });
    expect(outcome.location).toBeUndefined();
  });

  it('treats a strict server\'s unknown importer as ignored and its known ones as uploaded', async () => {
    const strict = new FakePmtServer({ strictImporters: true });
    const { url, close } = await strict.start();
    try {
      const outcomes = await uploadResults(
        [bufferItem('a.json', Buffer.from('[]'), 'licensee'), bufferItem('b.json', Buffer.from('[]'), 'file-hasher')],
        { baseUrl: url },
      );
      expect(outcomes.map((o) => o.status)).toEqual(['ignored', 'uploaded']);
    } finally {
      await close();
    }
  });

  it('fails a 400 after exactly one attempt with the server message', async () => {
    server.answerImporter('spdx', '400 unsupported SPDX version\nat line 1');
    const sleep = recordingSleep();
    const outcome = await uploadResult(bufferItem('r.spdx', Buffer.from('x')), { baseUrl: server.url, sleep });

    expect(outcome).toMatchObject({
      status: 'failed',
      httpStatus: 400,
      attempts: 1,
      message: 'PMT server answered 400 Bad Request: unsupported SPDX version',
    });
    expect(server.uploads).toHaveLength(1);
    expect(sleep.calls).toEqual([]);
  });

  it('quotes the message of a JSON error body and trims a long one', async () => {
    server.respondWith([
      { status: 422, body: '{"message":"composer file has no installed packages"}' },
      `400 ${'x'.repeat(1000)}`,
    ]);
    const [json, long] = await uploadResults(
      [bufferItem('a.json', Buffer.from('{}'), 'composer'), bufferItem('b.json', Buffer.from('{}'), 'composer')],
      { baseUrl: server.url },
    );

    expect(json?.message).toBe('PMT server answered 422 Unprocessable Entity: composer file has no installed packages');
    expect(long?.message?.length).toBeLessThan(260);
    expect(long?.message).toMatch(/^PMT server answered 400 Bad Request: x+…$/);
  });

  it('does not follow a redirect and says so', async () => {
    server.respondWith([{ status: 301, headers: { location: '/elsewhere' } }]);
    const outcome = await uploadResult(bufferItem('r.spdx', Buffer.from('x')), { baseUrl: server.url });

    expect(outcome).toMatchObject({ status: 'failed', httpStatus: 301, attempts: 1 });
    expect(outcome.message).toContain('not followed; check the server URL');
    expect(server.requests).toHaveLength(1);
  });

  it('works with a base URL carrying a path prefix', async () => {
    const prefixed = new FakePmtServer({ pathPrefix: '/pmt' });
    const { url, close } = await prefixed.start();
    try {
      const outcome = await uploadResult(bufferItem('r.spdx', Buffer.from('x')), { baseUrl: `${url}/` });
      expect(prefixed.uploads[0]?.path).toBe('/pmt/api/v1/products/import/spdx');
      expect(outcome).toMatchObject({ status: 'uploaded', location: `${url}/api/v1/products/1` });
      expect(outcome.url).toBe(`${url}/api/v1/products/import/spdx`);
    } finally {
      await close();
    }
  });

  it('fails without retrying when the file is shorter than its declared size', async () => {
    const item = { ...bufferItem('r.spdx', Buffer.from('short')), size: 100 };
    const outcome = await uploadResult(item, { baseUrl: server.url, sleep: recordingSleep() });

    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome.message).toBe('r.spdx changed while it was being sent: expected 100 bytes, read 5');
  });

  it('fails without retrying when the file cannot be read', async () => {
    const item = {
      ...bufferItem('r.spdx', Buffer.from('x')),
      open: () => new Readable({ read() { this.destroy(new Error('EACCES: permission denied')); } }),
    };
    const outcome = await uploadResult(item, { baseUrl: server.url, sleep: recordingSleep() });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, message: 'cannot read r.spdx: EACCES: permission denied' });
  });

  it('refuses an invalid base URL with a server PmtError', async () => {
    const failing = uploadResult(bufferItem('r.spdx', Buffer.from('x')), { baseUrl: 'ftp://host/pmt' });
    await expect(failing).rejects.toBeInstanceOf(PmtError);
    await expect(failing).rejects.toMatchObject({ origin: 'server', message: 'invalid PMT server URL "ftp://host/pmt": it must start with http:// or https://' });
  });

  it('uploads several items in order, one request each', async () => {
    const items = ['a', 'b', 'c'].map((n) => bufferItem(`${n}.spdx`, Buffer.from(n)));
    const outcomes = await uploadResults(items, { baseUrl: server.url });

    expect(outcomes.map((o) => [o.fileName, o.status, o.location])).toEqual([
      ['a.spdx', 'uploaded', `${server.url}/api/v1/products/1`],
      ['b.spdx', 'uploaded', `${server.url}/api/v1/products/2`],
      ['c.spdx', 'uploaded', `${server.url}/api/v1/products/3`],
    ]);
    expect(server.uploads.map((r) => r.body.toString())).toEqual(['a', 'b', 'c']);
  });
});
