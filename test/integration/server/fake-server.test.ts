import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakePmtServer } from '../../support/fake-pmt-server.js';

const run = promisify(execFile);
let server: FakePmtServer;

beforeEach(async () => {
  server = new FakePmtServer();
  await server.start();
});

afterEach(async () => {
  await server.close();
});

describe('fake PMT server', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });

  // The way the e2e tests use it: the server in the test process, pmt in a child. The child must be
  // started asynchronously (execFile, spawn), never spawnSync, or the server cannot answer it.
  it('answers a client in a child process and records its request', async () => {
    const script = `
      const res = await fetch(process.argv[1] + '/api/v1/products/import/Licensee', {
        method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
      console.log(res.status, res.headers.get('location'));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, server.url]);

    expect(stdout.trim()).toBe('201 /api/v1/products/1');
    expect(server.uploads).toHaveLength(1);
    expect(server.uploads[0]).toMatchObject({ method: 'POST', importer: 'licensee', rawImporter: 'Licensee', answer: 201 });
    expect(server.uploads[0]?.body.toString()).toBe('hello');
  });

  it('serves the product a Location points to, and 404 elsewhere', async () => {
    const created = await fetch(`${server.url}/api/v1/products/import/spdx`, { method: 'POST', body: 'x' });
    const product = await fetch(new URL(created.headers.get('location') ?? '', server.url));
    const missing = await fetch(`${server.url}/api/v2/health`);

    expect(product.status).toBe(200);
    expect(await product.json()).toEqual({ id: 1 });
    expect(missing.status).toBe(404);
  });

  it('plays a script for the next import requests, then falls back to the standing answer', async () => {
    server.answerImporter('spdx', '400 bad file').respondWith([503, '200 no importer']);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/api/v1/products/import/spdx`, { method: 'POST', body: 'x' });
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses).toEqual([503, 200, 400]);
    expect(server.uploads.map((r) => r.answer)).toEqual([503, 200, 400]);
  });
});
