import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readAll } from '../../unit/store/byte-source.js';
import { startFixture, licenseeParts, type Fixture } from './endpoint-fixture.js';
import { get, json, post } from './rest-client.js';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('REST endpoint on a Unix socket', () => {
  it('listens on api.sock in a 0755 directory with a 0666 socket', async () => {
    fixture = await startFixture();
    const { address } = fixture.endpoint;
    if (address.kind !== 'unix') throw new Error('expected a unix address');
    expect(basename(address.socketPath)).toBe('api.sock');
    expect(dirname(address.socketPath)).toBe(address.hostDir);
    expect(address.hostDir.startsWith(fixture.parent)).toBe(true);
    expect((await stat(address.hostDir)).mode & 0o777).toBe(0o755);
    const socket = await stat(address.socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o666);
  });

  it('answers GET /health without a token', async () => {
    fixture = await startFixture();
    const answer = await get(fixture.endpoint.address, '/health');
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ status: 'UP' });
  });

  it('stores a valid post byte for byte and answers with its size and sha256', async () => {
    fixture = await startFixture();
    const content = '{"licenses":["MIT"]}';
    const answer = await post(fixture.endpoint.address, licenseeParts(content), { token: fixture.licenseeToken });

    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ stored: { name: 'result.json', size: content.length, sha256: sha256(content) } });
    expect(answer.body).not.toContain('\n');
    expect(fixture.filestore.get(0, 'result.json')).toEqual({ pluginId: 0, name: 'result.json', size: content.length, sha256: sha256(content) });
    expect((await readAll(fixture.filestore.open(0, 'result.json'))).toString()).toBe(content);
    expect(fixture.endpoint.rejections(0)).toEqual([]);
  });

  it('stores concurrent posts of several plugin runs', async () => {
    fixture = await startFixture();
    const { address } = fixture.endpoint;
    const answers = await Promise.all([
      post(address, licenseeParts('one', 'result.json'), { token: fixture.licenseeToken }),
      post(address, licenseeParts('two', 'second.json'), { token: fixture.licenseeToken }),
      post(
        address,
        [{ name: 'name', value: 'scancode' }, { name: 'id', value: '1' }, { name: 'result', filename: 'result.spdx', content: Buffer.from('SPDXVersion: SPDX-2.2') }],
        { token: fixture.scancodeToken },
      ),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(fixture.filestore.list(0).map((r) => r.name).sort()).toEqual(['result.json', 'second.json']);
    expect(fixture.filestore.get(1, 'result.spdx')?.sha256).toBe(sha256('SPDXVersion: SPDX-2.2'));
  });

  it('replaces a file posted twice', async () => {
    fixture = await startFixture();
    await post(fixture.endpoint.address, licenseeParts('first'), { token: fixture.licenseeToken });
    const answer = await post(fixture.endpoint.address, licenseeParts('second'), { token: fixture.licenseeToken });
    expect(answer.status).toBe(200);
    expect(fixture.filestore.list(0)).toEqual([{ pluginId: 0, name: 'result.json', size: 6, sha256: sha256('second') }]);
  });

  it('refuses a post without a token (401) and stores nothing', async () => {
    fixture = await startFixture();
    const answer = await post(fixture.endpoint.address, licenseeParts('x'));
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(json(answer).error).toMatch(/Authorization: Bearer/);
    expect(fixture.filestore.list(0)).toEqual([]);
  });

  it('refuses an Authorization header that is not a bearer token (401)', async () => {
    fixture = await startFixture();
    const answer = await post(fixture.endpoint.address, licenseeParts('x'), { headers: { authorization: `Basic ${fixture.licenseeToken}` } });
    expect(answer.status).toBe(401);
    expect(fixture.filestore.list(0)).toEqual([]);
  });

  it('refuses a wrong token (403) and stores nothing', async () => {
    fixture = await startFixture();
    const wrong = fixture.licenseeToken.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const answer = await post(fixture.endpoint.address, licenseeParts('x'), { token: wrong });
    expect(answer.status).toBe(403);
    expect(json(answer)).toEqual({ error: 'invalid token' });
    expect(fixture.filestore.list(0)).toEqual([]);
  });

  it("refuses another plugin run's token (403), records it for the token's run, stores nothing", async () => {
    fixture = await startFixture();
    const answer = await post(fixture.endpoint.address, licenseeParts('x'), { token: fixture.scancodeToken });
    expect(answer.status).toBe(403);
    expect(json(answer).error).toBe('the token is not valid for plugin run 0');
    expect(fixture.filestore.list(0)).toEqual([]);
    expect(fixture.filestore.list(1)).toEqual([]);
    expect(fixture.endpoint.rejections(1)).toEqual(['HTTP 403: the token is not valid for plugin run 0']);
  });

  it('answers 410 once the plugin run is unregistered', async () => {
    fixture = await startFixture();
    fixture.endpoint.unregister(0);
    const answer = await post(fixture.endpoint.address, licenseeParts('late'), { token: fixture.licenseeToken });
    expect(answer.status).toBe(410);
    expect(json(answer).error).toBe('plugin run 0 has ended');
    expect(fixture.filestore.list(0)).toEqual([]);
  });

  it('gives each registration a fresh 64-hex-digit token and refuses a double registration', async () => {
    fixture = await startFixture();
    expect(fixture.licenseeToken).toMatch(/^[0-9a-f]{64}$/);
    expect(fixture.scancodeToken).not.toBe(fixture.licenseeToken);
    expect(() => fixture!.endpoint.register({ id: 0, plugin: 'licensee', results: ['a'] })).toThrow(/already registered/);
    fixture.endpoint.unregister(0);
    const again = fixture.endpoint.register({ id: 0, plugin: 'licensee', results: ['result.json'] }).token;
    expect(again).not.toBe(fixture.licenseeToken);
    expect((await post(fixture.endpoint.address, licenseeParts('x'), { token: fixture.licenseeToken })).status).toBe(403);
    expect((await post(fixture.endpoint.address, licenseeParts('x'), { token: again })).status).toBe(200);
  });

  it('close() removes the socket directory, is idempotent, and the socket is gone', async () => {
    fixture = await startFixture();
    const { address } = fixture.endpoint;
    if (address.kind !== 'unix') throw new Error('expected a unix address');
    await Promise.all([fixture.endpoint.close(), fixture.endpoint.close()]);
    await fixture.endpoint.close();
    await expect(stat(address.hostDir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await get(address, '/health')).status).toBe(0);
    expect(await readdir(fixture.parent)).not.toContain(basename(address.hostDir));
  });

  it('never writes a token to its log', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    fixture = await startFixture({ logger });
    const { address } = fixture.endpoint;
    await post(address, licenseeParts('ok'), { token: fixture.licenseeToken });
    await post(address, licenseeParts('x', 'nope.txt'), { token: fixture.licenseeToken });
    await post(address, licenseeParts('x'), { token: fixture.scancodeToken });
    await post(address, licenseeParts('x'), { token: `${fixture.licenseeToken}0` });
    await get(address, '/nowhere');

    const log = lines.join('');
    expect(log).toContain('"component":"REST endpoint"');
    expect(log).toContain('result received');
    expect(log).toContain('result refused');
    expect(log).not.toContain(fixture.licenseeToken);
    expect(log).not.toContain(fixture.scancodeToken);
  });
});

describe('REST endpoint on TCP', () => {
  it('listens on 127.0.0.1 with a random port and stores a valid post', async () => {
    fixture = await startFixture({ transport: 'tcp' });
    const { address } = fixture.endpoint;
    if (address.kind !== 'tcp') throw new Error('expected a tcp address');
    expect(address.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);

    const answer = await post(address, licenseeParts('tcp result'), { token: fixture.licenseeToken });
    expect(answer.status).toBe(200);
    expect(fixture.filestore.get(0, 'result.json')?.sha256).toBe(sha256('tcp result'));
    expect((await post(address, licenseeParts('x'))).status).toBe(401);
  });

  it('close() stops listening', async () => {
    fixture = await startFixture({ transport: 'tcp' });
    const { address } = fixture.endpoint;
    await fixture.endpoint.close();
    expect((await get(address, '/health')).error).toBe('ECONNREFUSED');
  });
});
