import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { byteSource } from '../../unit/store/byte-source.js';
import { heapSampler } from '../../unit/store/heap-sampler.js';
import { KiB, MiB, startFixture, type Fixture } from './endpoint-fixture.js';
import { curl, curlTarget, shell } from './rest-client.js';

let fixture: Fixture | undefined;

afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

/** The loop the agent execs in plugin containers, with the same environment variables. */
const AGENT_POST = 'curl -sS --fail-with-body -H "Authorization: Bearer $PMT_TOKEN" -F name=$PMT_PLUGIN_NAME -F id=$PMT_PLUGIN_ID -F result=@$RESULT --unix-socket $PMT_API_SOCKET http://pmt/save';

async function resultFile(f: Fixture, name: string, content: string | Buffer): Promise<string> {
  const path = join(f.parent, name);
  await writeFile(path, content);
  await chmod(path, 0o644);
  return path;
}

const sha256 = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('REST endpoint with the real curl', () => {
  it("accepts the agent's curl command over the Unix socket", async () => {
    const f = (fixture = await startFixture());
    const content = '{"licenses":[{"spdx_id":"MIT"}]}';
    const path = await resultFile(f, 'result.json', content);
    const { address } = f.endpoint;
    if (address.kind !== 'unix') throw new Error('expected a unix address');

    const run = await shell(AGENT_POST, { PMT_TOKEN: f.licenseeToken, PMT_PLUGIN_NAME: 'licensee', PMT_PLUGIN_ID: '0', PMT_API_SOCKET: address.socketPath, RESULT: path });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ stored: { name: 'result.json', size: content.length, sha256: sha256(content) } });
    expect(f.filestore.get(0, 'result.json')?.sha256).toBe(sha256(content));
  });

  it('prints the one-line JSON reason and exits 22 on a refusal (--fail-with-body)', async () => {
    const f = (fixture = await startFixture());
    const path = await resultFile(f, 'result.json', '{}');
    const run = await curl(['-sS', '--fail-with-body', '-H', 'Authorization: Bearer nope', '-F', 'name=licensee', '-F', 'id=0', '-F', `result=@${path}`, ...curlTarget(f.endpoint.address, '/save')]);
    expect(run.exitCode).toBe(22);
    expect(run.stdout).toBe('{"error":"invalid token"}');
    expect(f.filestore.list(0)).toEqual([]);
  });

  it('refuses a traversal file name sent by curl (400)', async () => {
    const f = (fixture = await startFixture());
    const path = await resultFile(f, 'result.json', '{}');
    const run = await curl([
      '-sS', '--fail-with-body', '-H', `Authorization: Bearer ${f.licenseeToken}`,
      '-F', 'name=licensee', '-F', 'id=0', '-F', `result=@${path};filename=../../result.json`,
      ...curlTarget(f.endpoint.address, '/save'),
    ]);
    expect(run.exitCode).toBe(22);
    expect(JSON.parse(run.stdout)).toEqual({ error: '"../../result.json" must be a plain file name, not a path' });
    expect(f.filestore.list(0)).toEqual([]);
  });

  it('accepts curl over TCP on 127.0.0.1', async () => {
    const f = (fixture = await startFixture({ transport: 'tcp' }));
    const path = await resultFile(f, 'second.json', '[1,2,3]');
    const run = await curl(['-sS', '--fail-with-body', '-H', `Authorization: Bearer ${f.licenseeToken}`, '-F', 'name=licensee', '-F', 'id=0', '-F', `result=@${path}`, ...curlTarget(f.endpoint.address, '/save')]);
    expect(run.exitCode).toBe(0);
    expect(f.filestore.get(0, 'second.json')?.sha256).toBe(sha256('[1,2,3]'));
  });

  it('refuses an over-limit upload from curl (413) and keeps nothing', async () => {
    const f = (fixture = await startFixture());
    const path = await resultFile(f, 'result.json', Buffer.alloc(300 * KiB, 0x7a));
    const run = await curl(['-sS', '--fail-with-body', '-H', `Authorization: Bearer ${f.licenseeToken}`, '-F', 'name=licensee', '-F', 'id=0', '-F', `result=@${path}`, ...curlTarget(f.endpoint.address, '/save')]);
    expect(run.exitCode).toBe(22);
    expect(JSON.parse(run.stdout).error).toContain('larger than the limit of 256 KiB per file');
    expect(f.filestore.list(0)).toEqual([]);
    expect(await readdir(f.filestore.tempDir)).toEqual([]);
  });

  it('streams a 50 MiB upload to disk with bounded memory, bytes and sha256 identical', async () => {
    const f = (fixture = await startFixture({ memoryBytes: MiB, limits: { maxFileBytes: 100 * MiB, maxRunBytes: 100 * MiB } }));
    const path = join(f.parent, 'result.json');
    const source = byteSource(50 * MiB, { seed: 9 });
    await pipeline(source.stream, createWriteStream(path, { mode: 0o644 }));
    const expected = source.sha256();

    const sampler = heapSampler();
    const timer = setInterval(() => sampler.sample(), 25);
    const run = await curl(['-sS', '--fail-with-body', '-H', `Authorization: Bearer ${f.licenseeToken}`, '-F', 'name=licensee', '-F', 'id=0', '-F', `result=@${path}`, ...curlTarget(f.endpoint.address, '/save')]);
    clearInterval(timer);
    sampler.sample();

    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ stored: { name: 'result.json', size: 50 * MiB, sha256: expected } });
    expect(f.filestore.memoryInUse).toBe(0);
    expect(await readdir(f.filestore.tempDir)).toHaveLength(1);
    const copy = join(f.parent, 'copy.json');
    await f.filestore.saveTo(0, 'result.json', copy);
    expect(sha256(await readFile(copy))).toBe(expected);
    expect(sampler.samples).toBeGreaterThan(2);
    // The upload is never buffered whole: live memory stays far below the 50 MiB file.
    expect(sampler.peakGrowth).toBeLessThan(sampler.exact ? 24 * MiB : 48 * MiB);
  }, 60_000);

  it('is reachable by a non-root user and by root without capabilities (as in containers)', async () => {
    const f = (fixture = await startFixture());
    const path = await resultFile(f, 'result.json', '{"who":"nobody"}');
    const isRoot = process.getuid?.() === 0;
    const dropAllCaps = ['/usr/bin/setpriv', '--inh-caps=-all', '--bounding-set=-all'];
    const asNobody = isRoot ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'] : [];
    const post = ['-sS', '--fail-with-body', '-H', `Authorization: Bearer ${f.licenseeToken}`, '-F', 'name=licensee', '-F', 'id=0', '-F', `result=@${path}`, ...curlTarget(f.endpoint.address, '/save')];

    const byNobody = await curl(post, { wrapper: asNobody });
    expect(byNobody.stderr).toBe('');
    expect(byNobody.exitCode).toBe(0);
    const byCaplessRoot = await curl(post, { wrapper: isRoot ? dropAllCaps : [] });
    expect(byCaplessRoot.exitCode).toBe(0);
    expect(f.filestore.get(0, 'result.json')?.sha256).toBe(sha256('{"who":"nobody"}'));

    if (isRoot && f.endpoint.address.kind === 'unix') {
      // Control: with the directory private to its owner, the same non-root curl cannot connect.
      await chmod(f.endpoint.address.hostDir, 0o700);
      const refused = await curl(post, { wrapper: asNobody });
      await chmod(f.endpoint.address.hostDir, 0o755);
      expect(refused.exitCode).toBe(7);
    }
  });
});
