import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectDocker } from '../../../src/docker/connect-docker.js';
import { ConfigError, EngineUnreachableError } from '../../../src/errors.js';
import { tempDir } from '../../support/fixtures.js';
import { REMOTE_DOCKER_HOST, ensureRemoteEngine } from '../../support/remote-engine.js';

const run = promisify(execFile);

describe('connectDocker', () => {
  beforeAll(async () => {
    await ensureRemoteEngine();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('talks to the engine the env argument names, not to process.env’s', async () => {
    vi.stubEnv('DOCKER_HOST', 'tcp://127.0.0.1:1');
    const info = await connectDocker({ env: { DOCKER_HOST: REMOTE_DOCKER_HOST } }).ping();
    expect(info).toMatchObject({ endpoint: REMOTE_DOCKER_HOST, local: false });
  });

  it('lets --docker-host win over DOCKER_HOST, even one docker-modem cannot parse', async () => {
    vi.stubEnv('DOCKER_HOST', 'tcp://[not-an-address');
    const info = await connectDocker({ dockerHost: 'unix:///var/run/docker.sock', env: process.env }).ping();
    expect(info).toMatchObject({ endpoint: 'unix:///var/run/docker.sock', local: true });
    expect(process.env.DOCKER_HOST).toBe('tcp://[not-an-address');
    expect(() => connectDocker({ env: process.env })).toThrow(ConfigError);
  });

  it('reaches an ssh:// host through the system ssh, and says why ssh could not connect', async () => {
    // A listener that records what the client says first: OpenSSH opens with its banner.
    const banners: string[] = [];
    const listener = createServer((socket) => socket.once('data', (data: Buffer) => banners.push(data.toString('latin1')) && socket.destroy()));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as AddressInfo;
    try {
      const runtime = connectDocker({ dockerHost: `ssh://pmt@127.0.0.1:${port}`, env: process.env });
      await expect(runtime.ping()).rejects.toThrow(`ssh could not reach ssh://pmt@127.0.0.1:${port}`);
      await runtime.close();
      expect(banners[0]).toMatch(/^SSH-2\.0-OpenSSH/);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
    const closed = connectDocker({ dockerHost: 'ssh://pmt@127.0.0.1:1', env: process.env });
    const refused = await closed.ping().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EngineUnreachableError);
    expect((refused as EngineUnreachableError).message).toBe('ssh could not reach ssh://pmt@127.0.0.1:1: connect to host 127.0.0.1 port 1: Connection refused');
    expect((refused as EngineUnreachableError).hint).toContain('`ssh -p 1 pmt@127.0.0.1` works');
    expect((refused as EngineUnreachableError).exitCode).toBe(3);
  });

  it('says so when ssh is not installed', async () => {
    const runtime = connectDocker({ dockerHost: 'ssh://pmt@127.0.0.1:1', env: { ...process.env, PATH: '/nonexistent' } });
    await expect(runtime.ping()).rejects.toThrow('ssh:// engines need the OpenSSH client, and `ssh` is not on PATH');
  });

  describe('over TLS', () => {
    let dir: { path: string; remove: () => Promise<void> };
    let server: https.Server;
    let port: number;
    const clients: string[] = [];

    beforeEach(async () => {
      clients.length = 0;
      dir = await tempDir('pmt-tls-');
      await makeCertificates(dir.path);
      const file = (name: string) => readFile(join(dir.path, name));
      // A stand-in engine that, like `dockerd --tlsverify`, only answers clients with a certificate of its CA.
      server = https.createServer(
        { ca: await file('ca.pem'), cert: await file('server-cert.pem'), key: await file('server-key.pem'), requestCert: true, rejectUnauthorized: true },
        (req, res) => {
          clients.push((req.socket as TLSSocket).getPeerCertificate().subject.CN as string);
          if (req.url === '/_ping') {
            res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
            return;
          }
          res.writeHead(req.url === '/version' ? 200 : 404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ Version: '99.0-tls-fake', ApiVersion: '1.41' }));
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
      await dir.remove();
    });

    it('verifies the engine with ca.pem and presents cert.pem/key.pem from DOCKER_CERT_PATH', async () => {
      const env = { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir.path };
      const runtime = connectDocker({ dockerHost: `tcp://127.0.0.1:${port}`, env });
      expect(await runtime.ping()).toEqual({ endpoint: `tcp://127.0.0.1:${port} (TLS)`, local: false });
      expect(await runtime.describe()).toMatchObject({ version: '99.0-tls-fake', endpoint: `tcp://127.0.0.1:${port} (TLS)`, local: false });
      expect(clients).toEqual(['pmt-client', 'pmt-client']);
    });

    it('refuses an engine whose certificate the CA did not sign', async () => {
      await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir.path, 'other-key.pem'), '-out', join(dir.path, 'ca.pem'), '-days', '1', '-subj', '/CN=other-ca']);
      const runtime = connectDocker({ dockerHost: `tcp://127.0.0.1:${port}`, env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir.path } });
      await expect(runtime.ping()).rejects.toThrow();
      expect(clients).toEqual([]);
    });

    it('names every missing TLS file before connecting', () => {
      const env = { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir.path, 'nowhere') };
      expect(() => connectDocker({ dockerHost: `tcp://127.0.0.1:${port}`, env })).toThrow(ConfigError);
      try {
        connectDocker({ dockerHost: `tcp://127.0.0.1:${port}`, env });
      } catch (error) {
        expect((error as ConfigError).problems.map((p) => p.file)).toEqual(['ca.pem', 'cert.pem', 'key.pem'].map((f) => join(dir.path, 'nowhere', f)));
      }
    });
  });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `dockerd --tlsverify` setups use. */
async function makeCertificates(dir: string): Promise<void> {
  const at = (name: string) => join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...key, '-keyout', at('ca-key.pem'), '-out', at('ca.pem'), '-days', '1', '-subj', '/CN=pmt-test-ca']);
  for (const [name, cn, extension] of [
    ['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'],
    ['client', 'pmt-client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    await writeFile(at(`${name}.ext`), extension);
    await run('openssl', ['req', ...key, '-keyout', at(`${name}-key.pem`), '-out', at(`${name}.csr`), '-subj', `/CN=${cn}`]);
    await run('openssl', ['x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.pem'), '-CAkey', at('ca-key.pem'), '-CAcreateserial', '-out', at(`${name}-cert.pem`), '-days', '1', '-extfile', at(`${name}.ext`)]);
  }
  // The names docker's client looks for.
  await writeFile(at('cert.pem'), await readFile(at('client-cert.pem')));
  await writeFile(at('key.pem'), await readFile(at('client-key.pem')));
}
