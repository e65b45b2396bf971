import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, truncate, writeFile, chmod } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { extract } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Filestore } from '../../../src/store/filestore.js';
import { openRestEndpoint, startRestEndpoint, type RestEndpoint } from '../../../src/transport/rest-endpoint.js';
import { heapSampler } from '../../unit/store/heap-sampler.js';
import { MiB } from './endpoint-fixture.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pmt-task-routes-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function endpointFor(input: string | undefined, options: { exclude?: string[]; respectGitignore?: boolean; host?: string; logger?: Logger } = {}) {
  const parent = await tempDir();
  const filestore = await Filestore.create({ memoryBytes: MiB, tempParent: parent });
  const endpoint = await startRestEndpoint({ filestore, transport: 'tcp', host: options.host, limits: { maxFileBytes: MiB, maxRunBytes: MiB }, tempParent: parent, ...(options.logger ? { logger: options.logger } : {}) });
  cleanups.push(async () => {
    await endpoint.close();
    await filestore.close();
  });
  const registration = { id: 0, plugin: 'p', results: ['r.txt'] };
  const { token } = endpoint.register(input ? { ...registration, input: { dir: input, respectGitignore: options.respectGitignore ?? false, exclude: options.exclude ?? [] } } : registration);
  return { endpoint, token };
}

/** A GET on the endpoint; resolves with the response as soon as its head arrives. */
function open(endpoint: RestEndpoint, path: string, token: string | undefined): Promise<IncomingMessage> {
  if (endpoint.address.kind !== 'tcp') throw new Error('tcp expected');
  const url = new URL(path, endpoint.address.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: token ? { authorization: `Bearer ${token}` } : {} }, resolve);
    request.on('error', reject);
    request.end();
  });
}

async function body(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

interface Entry {
  name: string;
  type: string;
  uid: number;
  gid: number;
  mode: number;
  content: string;
  linkname?: string | null;
}

async function entries(response: IncomingMessage): Promise<Entry[]> {
  const found: Entry[] = [];
  const unpack = extract();
  unpack.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      found.push({ name: header.name, type: header.type ?? 'file', uid: header.uid ?? -1, gid: header.gid ?? -1, mode: header.mode ?? -1, content: Buffer.concat(chunks).toString(), linkname: header.linkname });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    unpack.on('finish', resolve);
    unpack.on('error', reject);
    response.pipe(unpack);
  });
  return found;
}

describe('GET /input', () => {
  it('streams the input once as a tar owned by 65534 without group/other write bits, its root included', async () => {
    const input = await tempDir();
    await mkdir(join(input, 'sub'));
    await writeFile(join(input, 'sub', 'open.txt'), 'anyone may write me');
    await chmod(join(input, 'sub', 'open.txt'), 0o666);
    await writeFile(join(input, '.hidden'), 'dot');
    await symlink('../../outside', join(input, 'sub', 'out'));
    await mkdir(join(input, 'pmt-results'));
    await writeFile(join(input, 'pmt-results', 'old.json'), '{}');
    await chmod(input, 0o777);
    const { endpoint, token } = await endpointFor(input, { exclude: ['pmt-results'] });

    const response = await open(endpoint, '/input', token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-tar');
    const got = await entries(response);
    // The root first; an excluded directory stays, empty, as the empty mount over it shows locally.
    expect(got.map((e) => e.name)).toEqual(['./', '.hidden', 'pmt-results', 'sub', 'sub/open.txt', 'sub/out']);
    for (const entry of got) expect([entry.uid, entry.gid], entry.name).toEqual([65534, 65534]);
    const byName = new Map(got.map((e) => [e.name, e]));
    expect(byName.get('./')!.mode & 0o777).toBe(0o755);
    expect(byName.get('pmt-results')!.type).toBe('directory');
    expect(byName.get('sub/open.txt')).toMatchObject({ mode: 0o644, content: 'anyone may write me' });
    expect(byName.get('sub/out')).toMatchObject({ type: 'symlink', linkname: '/outside' });

    const again = await open(endpoint, '/input', token);
    expect(again.statusCode).toBe(410);
    expect(JSON.parse(await body(again))).toEqual({ error: 'the input of plugin run 0 was fetched already' });
  });

  it('gives the entries another owner when the task asks (its plugin runs as 65534)', async () => {
    const input = await tempDir();
    await writeFile(join(input, 'a'), 'a');
    const { endpoint, token } = await endpointFor(input);
    const refused = await open(endpoint, '/input?owner=0', token);
    expect(refused.statusCode).toBe(400);
    await body(refused);
    const got = await entries(await open(endpoint, '/input?owner=65533', token));
    expect(got.map((e) => [e.name, e.uid, e.gid])).toEqual([['./', 65533, 65533], ['a', 65533, 65533]]);
  });

  it('leaves out what .gitignore ignores, and .git, with respectGitignore', async () => {
    const input = await tempDir();
    execFileSync('git', ['init', '-q', input]);
    await writeFile(join(input, '.gitignore'), 'ignored.txt\n');
    await writeFile(join(input, 'ignored.txt'), 'x');
    await writeFile(join(input, 'kept.txt'), 'y');
    const { endpoint, token } = await endpointFor(input, { respectGitignore: true });
    const got = await entries(await open(endpoint, '/input', token));
    expect(got.map((e) => e.name)).toEqual(['./', '.gitignore', 'kept.txt']);
  });

  it('refuses without a token (401), a wrong one (403), a run without input (404), an ended run (410)', async () => {
    const input = await tempDir();
    const { endpoint, token } = await endpointFor(input);
    const statuses = async (path: string, given: string | undefined) => {
      const response = await open(endpoint, path, given);
      await body(response);
      return response.statusCode;
    };
    expect(await statuses('/input', undefined)).toBe(401);
    expect(await statuses('/input', 'f'.repeat(64))).toBe(403);
    const other = endpoint.register({ id: 1, plugin: 'q', results: ['r.txt'] }).token;
    expect(await statuses('/input', other)).toBe(404);
    endpoint.unregister(0);
    expect(await statuses('/input', token)).toBe(410);
    expect(await statuses('/lease', token)).toBe(410);
  });

  it('streams a large input with back-pressure (memory stays flat while the client does not read) and stops when the client goes away', async () => {
    const input = await tempDir();
    await truncate(await writeFile(join(input, 'big.bin'), '').then(() => join(input, 'big.bin')), 512 * MiB);
    const { endpoint, token } = await endpointFor(input);
    const fds = async () => (await readdir('/proc/self/fd')).length;
    const before = await fds();
    const heap = heapSampler();
    const response = await open(endpoint, '/input', token);
    const first = await new Promise<Buffer>((resolve) => response.once('data', resolve));
    response.pause();
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      heap.sample();
    }
    // 512 MiB sent without back-pressure would sit in pmt's memory; a paused client holds it at the socket buffers.
    expect(heap.peakGrowth).toBeLessThan(64 * MiB);
    response.destroy();
    // The file the packer had open is closed once the client is gone.
    await expect.poll(fds, { timeout: 5_000 }).toBeLessThanOrEqual(before);
    expect(first.length).toBeGreaterThan(0);
    expect(endpoint.inputProblem(0)).toBeUndefined();
  });
});

describe('GET /input failing midway', () => {
  it('breaks the response off and keeps why for pmt: a file that changed while it was sent', async () => {
    const input = await tempDir();
    const big = join(input, 'big.bin');
    await writeFile(big, '');
    // Sparse, and larger than every buffer between pmt's read and this client (Node's, and the
    // kernel's autotuned socket buffers: up to 32 MiB + 4 MiB here), so the send is still reading
    // the file when it shrinks, however late this client gets to its chunks.
    const size = 256 * MiB;
    await truncate(big, size);
    const { endpoint, token } = await endpointFor(input);
    const response = await open(endpoint, '/input', token);
    // The file shrinks once its content flows: past the root's entry and big.bin's header (512 bytes
    // each). Shrunk before pmt looked at it, it would be sent whole at its new size, rightly.
    await new Promise<void>((resolve) => {
      let received = 0;
      const onData = (chunk: Buffer): void => {
        received += chunk.length;
        if (received < 64 * 1024) return;
        response.off('data', onData);
        response.pause();
        resolve();
      };
      response.on('data', onData);
    });
    await truncate(big, MiB);
    response.resume();
    const ended = await new Promise<string>((resolve) => {
      response.on('end', () => resolve('complete'));
      response.on('error', () => resolve('aborted'));
      response.on('close', () => resolve(response.complete ? 'complete' : 'aborted'));
    });
    expect(ended).toBe('aborted');
    // How much was read depends on the buffers' fill when the file shrank: its new size at least
    // (the read goes on to the end), never all of it.
    const message = endpoint.inputProblem(0)?.message ?? '';
    expect(message).toMatch(new RegExp(`^input file big\\.bin changed while it was being copied \\(${size} bytes expected, \\d+ read\\)$`));
    const read = Number(/(\d+) read/.exec(message)![1]);
    expect(read).toBeGreaterThanOrEqual(MiB);
    expect(read).toBeLessThan(size);
  });
});

describe('GET /lease', () => {
  it('stays open while the run is registered and ends when it is unregistered', async () => {
    const { endpoint, token } = await endpointFor(undefined);
    const response = await open(endpoint, '/lease', token);
    expect(response.statusCode).toBe(200);
    const first = await new Promise<Buffer>((resolve) => response.once('data', resolve));
    expect(first.toString()).toBe('\n');
    let ended = false;
    const done = body(response).then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ended).toBe(false);
    endpoint.unregister(0);
    await done;
    expect(ended).toBe(true);
  });

  it('ends when the endpoint closes', async () => {
    const { endpoint, token } = await endpointFor(undefined);
    const response = await open(endpoint, '/lease', token);
    const ended = new Promise<void>((resolve) => response.on('close', () => resolve()));
    response.resume();
    await endpoint.close();
    await ended;
  });
});

describe('the task routes', () => {
  it('never write a token to the log', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const input = await tempDir();
    await writeFile(join(input, 'a'), 'a');
    const { endpoint, token } = await endpointFor(input, { logger });
    await entries(await open(endpoint, '/input', token));
    await body(await open(endpoint, '/input', token));
    await body(await open(endpoint, '/input', `${token}0`));
    const lease = await open(endpoint, '/lease', token);
    endpoint.unregister(0);
    await body(lease);
    await body(await open(endpoint, '/lease', token));

    const log = lines.join('');
    expect(log).toContain('sending the input');
    expect(log).not.toContain(token);
  });
});

describe('openRestEndpoint on TCP', () => {
  it('listens on the given host and says so in its url', async () => {
    const { endpoint, token } = await endpointFor(undefined, { host: '127.0.0.2' });
    if (endpoint.address.kind !== 'tcp') throw new Error('tcp expected');
    expect(endpoint.address.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    const response = await open(endpoint, '/lease', token);
    expect(response.statusCode).toBe(200);
    response.destroy();
  });

  it('refuses to listen on every address', async () => {
    const filestore = await Filestore.create({ memoryBytes: MiB, tempParent: await tempDir() });
    cleanups.push(() => filestore.close());
    for (const host of ['0.0.0.0', '::', '[::]', '', '0', '::ffff:0.0.0.0', '[::ffff:0:0]']) {
      await expect(openRestEndpoint({ filestore, transport: 'tcp', host, limits: { maxFileBytes: MiB, maxRunBytes: MiB } })).rejects.toThrow(/must listen on one address/);
    }
  });
});
