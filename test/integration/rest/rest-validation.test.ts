import { readdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { patternChunk } from '../../unit/store/byte-source.js';
import { KiB, MiB, licenseeParts, startFixture, type Fixture } from './endpoint-fixture.js';
import { json, post, type Part } from './rest-client.js';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

async function start(): Promise<Fixture> {
  fixture = await startFixture();
  return fixture;
}

/** Asserts the endpoint kept nothing at all (no entry, no memory, no spilled file). */
async function expectNothingStored(f: Fixture): Promise<void> {
  expect(f.filestore.list(0)).toEqual([]);
  expect(f.filestore.list(1)).toEqual([]);
  expect(f.filestore.memoryInUse).toBe(0);
  expect(await readdir(f.filestore.tempDir)).toEqual([]);
}

describe('POST /save refuses bad file names', () => {
  it.each([
    ['../../x', 400, 'must be a plain file name, not a path'],
    ['../result.json', 400, 'must be a plain file name, not a path'],
    ['..', 400, 'is not a file name'],
    ['.', 400, 'is not a file name'],
    ['sub/result.json', 400, 'must be a plain file name, not a path'],
    ['sub\\result.json', 400, 'must be a plain file name, not a path'],
    ['', 400, 'no file name'],
    ['a\u0001b', 400, 'control or invisible formatting characters'],
  ])('%j → %i', async (filename, status, reason) => {
    const f = await start();
    const answer = await post(f.endpoint.address, licenseeParts('x', filename), { token: f.licenseeToken });
    expect(answer.status).toBe(status);
    expect(json(answer).error).toContain(reason);
    await expectNothingStored(f);
    expect(f.endpoint.rejections(0)).toHaveLength(1);
  });

  it('refuses a file that is not a declared result (422), naming the declared ones', async () => {
    const f = await start();
    const answer = await post(f.endpoint.address, licenseeParts('x', 'secrets.txt'), { token: f.licenseeToken });
    expect(answer.status).toBe(422);
    expect(json(answer).error).toBe('"secrets.txt" is not a declared result of plugin "licensee" (declared: "result.json", "second.json")');
    await expectNothingStored(f);
    expect(f.endpoint.rejections(0)).toEqual([`HTTP 422: ${json(answer).error as string}`]);
  });
});

describe('POST /save refuses bad fields', () => {
  const file: Part = { name: 'result', filename: 'result.json', content: Buffer.from('{}') };
  const cases: Array<[string, Part[], number, string]> = [
    ['a wrong plugin name', [{ name: 'name', value: 'scancode' }, { name: 'id', value: '0' }, file], 422, 'field "name" is "scancode"'],
    ['a missing id', [{ name: 'name', value: 'licensee' }, file], 400, 'must come before the file part'],
    ['fields after the file', [file, { name: 'name', value: 'licensee' }, { name: 'id', value: '0' }], 400, 'must come before the file part'],
    ['a non-numeric id', [{ name: 'name', value: 'licensee' }, { name: 'id', value: '0x0' }, file], 400, 'whole number'],
    ['a token field', [{ name: 'token', value: 'abc' }, { name: 'name', value: 'licensee' }, file], 400, 'Authorization: Bearer'],
    ['an unknown field', [{ name: 'path', value: '/etc' }, { name: 'name', value: 'licensee' }, file], 400, 'unexpected field "path"'],
    ['a repeated field', [{ name: 'id', value: '0' }, { name: 'id', value: '0' }, file], 400, 'given twice'],
    ['an overlong field', [{ name: 'name', value: 'x'.repeat(5000) }, { name: 'id', value: '0' }, file], 400, 'not a short text'],
    ['a file part of another name', [{ name: 'name', value: 'licensee' }, { name: 'id', value: '0' }, { ...file, name: 'upload' }], 400, 'must be named "result"'],
    ['no file part', [{ name: 'name', value: 'licensee' }, { name: 'id', value: '0' }], 400, 'no file part'],
    ['the same file twice', [...licenseeParts('{}'), { name: 'result', filename: 'result.json', content: Buffer.from('{}') }], 400, '"result.json" is sent twice in one request'],
    ['an undeclared file after a declared one', [...licenseeParts('{}'), { name: 'result', filename: 'other.json', content: Buffer.from('{}') }], 422, '"other.json" is not a declared result'],
    ['a field after the file', [...licenseeParts('{}'), { name: 'name', value: 'licensee' }], 400, 'after the file'],
  ];

  it.each(cases)('%s → %i', async (_label, parts, status, reason) => {
    const f = await start();
    const answer = await post(f.endpoint.address, parts, { token: f.licenseeToken });
    expect(answer.status).toBe(status);
    expect(json(answer).error).toContain(reason);
    await expectNothingStored(f);
  });
});

describe('POST /save refuses malformed requests', () => {
  it('refuses a body that is not multipart (415)', async () => {
    const f = await start();
    const answer = await post(f.endpoint.address, [], { token: f.licenseeToken, headers: { 'content-type': 'application/json' }, rawBody: Buffer.from('{"a":1}') });
    expect(answer.status).toBe(415);
    expect(json(answer)).toEqual({ error: 'the body must be multipart/form-data' });
  });

  it('refuses a multipart content type without boundary (400)', async () => {
    const f = await start();
    const answer = await post(f.endpoint.address, [], { token: f.licenseeToken, headers: { 'content-type': 'multipart/form-data' }, rawBody: Buffer.from('garbage') });
    expect(answer.status).toBe(400);
    expect(json(answer).error).toMatch(/malformed multipart body/);
  });

  it('refuses a body cut off before its closing boundary (400) and keeps nothing', async () => {
    const f = await start();
    const answer = await post(f.endpoint.address, licenseeParts('{"partial":'), { token: f.licenseeToken, truncate: true });
    expect(answer.status).toBe(400);
    expect(json(answer).error).toMatch(/malformed multipart body/);
    await expectNothingStored(f);
  });

  it('refuses garbage in place of multipart parts (400)', async () => {
    const f = await start();
    const answer = await post(f.endpoint.address, [], { token: f.licenseeToken, rawBody: Buffer.from('this is not multipart at all\r\n') });
    expect(answer.status).toBe(400);
  });

  it('answers unknown routes with a one-line JSON 404', async () => {
    const f = await start();
    const answer = await post(f.endpoint.address, licenseeParts('x'), { token: f.licenseeToken, path: '/upload' });
    expect(answer.status).toBe(404);
    expect(json(answer).error).toBe('no route POST /upload');
  });
});

describe('POST /save with several files', () => {
  it('stores every declared file of one request, and answers with the list', async () => {
    const f = await start();
    const parts = [...licenseeParts('{"a":1}'), { name: 'result', filename: 'second.json', content: Buffer.from('{"b":2}') }];
    const answer = await post(f.endpoint.address, parts, { token: f.licenseeToken });
    expect(answer.status).toBe(200);
    expect((json(answer).stored as { name: string }[]).map((file) => file.name)).toEqual(['result.json', 'second.json']);
    expect(f.filestore.list(0).map((file) => [file.name, file.size])).toEqual([['result.json', 7], ['second.json', 7]]);
  });

  it('keeps nothing of a request one of whose files is refused', async () => {
    const f = await start();
    const parts = [...licenseeParts('{"a":1}'), { name: 'result', filename: 'second.json', content: Buffer.alloc(300 * KiB) }];
    const answer = await post(f.endpoint.address, parts, { token: f.licenseeToken });
    expect(answer.status).toBe(413);
    await expectNothingStored(f);
  });
});

describe('POST /save size limits', () => {
  it('refuses a file over the per-file limit (413) and keeps nothing of it', async () => {
    const f = await start();
    const answer = await post(f.endpoint.address, licenseeParts(patternChunk(0, 300 * KiB, 1)), { token: f.licenseeToken });
    expect(answer.status).toBe(413);
    expect(json(answer).error).toBe('result file "result.json" is larger than the limit of 256 KiB per file');
    await expectNothingStored(f);
    expect(f.endpoint.rejections(0)).toEqual(['HTTP 413: result file "result.json" is larger than the limit of 256 KiB per file']);
  });

  it('refuses a file over a per-file limit smaller than one socket read (413)', async () => {
    const f = (fixture = await startFixture({ limits: { maxFileBytes: 1000, maxRunBytes: MiB } }));
    for (const size of [1001, 5000, 200 * KiB]) {
      const answer = await post(f.endpoint.address, licenseeParts(patternChunk(size, size, 5)), { token: f.licenseeToken });
      expect(answer.status).toBe(413);
      expect(json(answer).error).toBe('result file "result.json" is larger than the limit of 1000 B per file');
    }
    await expectNothingStored(f);
    expect((await post(f.endpoint.address, licenseeParts(patternChunk(0, 1000, 5)), { token: f.licenseeToken })).status).toBe(200);
  });

  it('accepts a file of exactly the per-file limit', async () => {
    const f = await start();
    const answer = await post(f.endpoint.address, licenseeParts(patternChunk(0, 256 * KiB, 1)), { token: f.licenseeToken });
    expect(answer.status).toBe(200);
  });

  it('refuses a file that takes the plugin run over its total (413), keeping the earlier file', async () => {
    const f = await start();
    const first = await post(f.endpoint.address, licenseeParts(patternChunk(0, 200 * KiB, 1), 'result.json'), { token: f.licenseeToken });
    expect(first.status).toBe(200);
    const second = await post(f.endpoint.address, licenseeParts(patternChunk(1, 200 * KiB, 1), 'second.json'), { token: f.licenseeToken });
    expect(second.status).toBe(413);
    expect(json(second).error).toContain('over the limit of 384 KiB per plugin run');
    expect(f.filestore.list(0).map((r) => r.name)).toEqual(['result.json']);
  });

  it('gives up on a huge refused body instead of reading it all, and keeps serving', async () => {
    const f = await start();
    // 64 MiB against a 256 KiB limit: the server reads at most a few MiB more, then closes.
    const body = new PassThrough();
    const sending = post(f.endpoint.address, [], { token: f.licenseeToken, rawBody: body });
    let written = 0;
    const head = Buffer.from(
      '------pmt-test-boundary-7d3f\r\nContent-Disposition: form-data; name="name"\r\n\r\nlicensee\r\n' +
        '------pmt-test-boundary-7d3f\r\nContent-Disposition: form-data; name="id"\r\n\r\n0\r\n' +
        '------pmt-test-boundary-7d3f\r\nContent-Disposition: form-data; name="result"; filename="result.json"\r\n\r\n',
    );
    body.write(head);
    const chunk = Buffer.alloc(64 * KiB, 0x61);
    body.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (written < 64 * MiB && !body.destroyed) {
          written += chunk.length;
          if (!body.write(chunk)) return void body.once('drain', pump);
        }
        resolve();
      };
      body.once('close', () => resolve());
      pump();
      void sending.then(() => resolve());
    });
    const answer = await sending;
    body.destroy();

    expect(written).toBeLessThan(64 * MiB);
    expect([0, 413]).toContain(answer.status);
    await expectNothingStored(f);
    expect(f.endpoint.rejections(0)[0]).toMatch(/^HTTP 413: /);
    expect((await post(f.endpoint.address, licenseeParts('after'), { token: f.licenseeToken })).status).toBe(200);
  });
});

describe('POST /save under hostile load', () => {
  it('survives a mix of hostile requests and still accepts a legitimate post', async () => {
    const f = await start();
    const { address } = f.endpoint;
    const hostile = [
      post(address, licenseeParts('x')),
      post(address, licenseeParts('x'), { token: 'f'.repeat(64) }),
      post(address, licenseeParts('x', '../../etc/passwd'), { token: f.licenseeToken }),
      post(address, licenseeParts(patternChunk(0, MiB, 2)), { token: f.licenseeToken }),
      post(address, licenseeParts('x'), { token: f.scancodeToken }),
      post(address, licenseeParts('{"cut'), { token: f.licenseeToken, truncate: true }),
      post(address, [], { token: f.licenseeToken, rawBody: Buffer.from('--x\r\n\r\n\r\n--') }),
      post(address, [], { headers: { 'content-type': 'text/plain' }, rawBody: Buffer.from('hello') }),
      post(address, [{ name: '__proto__', value: 'x' }, ...licenseeParts('x')], { token: f.licenseeToken }),
      post(address, Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, value: 'v' })), { token: f.licenseeToken }),
    ];
    const answers = await Promise.all(hostile);
    expect(answers.map((answer) => answer.status)).toEqual([401, 403, 400, 413, 403, 400, 400, 415, 400, 400]);
    for (const answer of answers) expect(Object.keys(json(answer))).toEqual(['error']);
    await expectNothingStored(f);

    const good = await post(address, licenseeParts('{"fine":true}'), { token: f.licenseeToken });
    expect(good.status).toBe(200);
    expect(f.filestore.get(0, 'result.json')?.size).toBe(13);
  });

  it('is not held up by a client that stalls mid-upload, and close() ends it', async () => {
    const f = await start();
    const { address } = f.endpoint;
    const body = new PassThrough();
    const stalled = post(address, [], { token: f.licenseeToken, rawBody: body });
    body.write(
      '------pmt-test-boundary-7d3f\r\nContent-Disposition: form-data; name="name"\r\n\r\nlicensee\r\n' +
        '------pmt-test-boundary-7d3f\r\nContent-Disposition: form-data; name="id"\r\n\r\n0\r\n' +
        '------pmt-test-boundary-7d3f\r\nContent-Disposition: form-data; name="result"; filename="result.json"\r\n\r\nhalf a fi',
    );

    const other = await post(address, licenseeParts('elsewhere', 'second.json'), { token: f.licenseeToken });
    expect(other.status).toBe(200);

    const started = Date.now();
    await f.endpoint.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await stalled).status).toBe(0);
    body.destroy();
    expect(f.filestore.list(0).map((r) => r.name)).toEqual(['second.json']);
  });
});
