import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PmtError } from '../../../src/errors.js';
import { probeServer } from '../../../src/sinks/pmt-server.js';
import { FakePmtServer } from '../../support/fake-pmt-server.js';

let server: FakePmtServer;

beforeEach(async () => {
  server = new FakePmtServer({ version: '2.3.1\n' });
  await server.start();
});

afterEach(async () => {
  await server.close();
});

describe('probeServer', () => {
  it('reports an UP server with its version', async () => {
    await expect(probeServer(server.url, { timeoutMs: 3000 })).resolves.toEqual({ ok: true, version: '2.3.1' });
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/api/v1/health'],
      ['GET', '/api/v1/version'],
    ]);
  });

  it('works with a base URL carrying a path prefix', async () => {
    const bare = new FakePmtServer({ pathPrefix: '/pmt' });
    const { url, close } = await bare.start();
    try {
      await expect(probeServer(url)).resolves.toEqual({ ok: true, version: '1.0.0-fake' });
      expect(bare.requests.map((r) => r.path)).toEqual(['/pmt/api/v1/health', '/pmt/api/v1/version']);
    } finally {
      await close();
    }
  });

  it('names a refused connection and the URL it tried', async () => {
    const gone = new FakePmtServer();
    const { url, close } = await gone.start();
    await close();

    await expect(probeServer(url, { timeoutMs: 3000 })).resolves.toEqual({
      ok: false,
      reason: `connection refused at ${url}/api/v1/health`,
    });
  });

  it('reports a 503 answer', async () => {
    server.setHealth('503');
    await expect(probeServer(server.url)).resolves.toEqual({
      ok: false,
      reason: `answered 503 Service Unavailable at ${server.url}/api/v1/health: service unavailable`,
    });
  });

  it('reports a health that says DOWN', async () => {
    server.setHealth('DOWN');
    await expect(probeServer(server.url)).resolves.toEqual({
      ok: false,
      reason: `health says {"status":"DOWN"} at ${server.url}/api/v1/health`,
    });
  });

  it('reports a 200 that is not a health answer (wrong URL)', async () => {
    server.setHealth({ status: 200, body: '<html>\n<body>Welcome</body>\n</html>' });
    const result = await probeServer(server.url);
    expect(result).toEqual({ ok: false, reason: `health says <html> <body>Welcome</body> </html> at ${server.url}/api/v1/health` });
  });

  it('reports a dropped connection and a silent server without throwing', async () => {
    server.setHealth('drop');
    await expect(probeServer(server.url)).resolves.toEqual({
      ok: false,
      reason: `connection closed without an answer at ${server.url}/api/v1/health`,
    });

    server.setHealth('hang');
    await expect(probeServer(server.url, { timeoutMs: 150 })).resolves.toEqual({
      ok: false,
      reason: `no answer within 150 ms at ${server.url}/api/v1/health`,
    });
  });

  it('stops when aborted', async () => {
    server.setHealth('hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await probeServer(server.url, { timeoutMs: 10_000, signal: controller.signal });
    expect(result).toEqual({ ok: false, reason: `aborted while asking ${server.url}/api/v1/health` });
  });

  it('throws a server PmtError for a base URL that is not one', async () => {
    await expect(probeServer('localhost:8081')).rejects.toSatisfy(
      (e) => e instanceof PmtError && e.origin === 'server' && e.message === 'invalid PMT server URL "localhost:8081": it must start with http:// or https://',
    );
    await expect(probeServer('not a url')).rejects.toThrow('invalid PMT server URL "not a url": not a URL');
  });
});
