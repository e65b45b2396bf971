import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { savedResults, tempDir, type TestPlugin, writeRegistry, writeTree } from '../support/fixtures.js';
import { TestImages } from '../support/test-images.js';
import { listTree, pluginOf, scanJson, sha256, writeNamedConfig } from './rest-scan.js';

/** Posts over the run's socket; prints curl's answer (the JSON reason on a refusal) and exit code. */
const POST = 'post() { curl -sS --fail-with-body --unix-socket "$PMT_API_SOCKET" "$@" http://pmt/save; echo " [curl exit $?]"; }';
const OWN_TOKEN = '-H "Authorization: Bearer $PMT_TOKEN"';
const AS_ITSELF = `${OWN_TOKEN} -F "name=$PMT_PLUGIN_NAME" -F "id=$PMT_PLUGIN_ID"`;
/** The legitimate plugin's declared result, as a forged upload. */
const FORGED = '-F "result=@/input/payload.bin;filename=result.bin"';

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

describe('REST transport: hostile plugins in one run with a legitimate one', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let savedTmp: string | undefined;

  beforeEach(async () => {
    dir = await tempDir('pmt-rest-hostile-');
    // pmt's store and socket directories go below the test dir, so the test can see all it leaves.
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = join(dir.path, 'tmp');
    await mkdir(process.env.TMPDIR);
  });
  afterEach(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await dir.remove();
  });

  it('stores only the legitimate result; every attack is refused and fails its plugin with the reason', async () => {
    const payload = randomBytes(20 * 1024);
    const escape = `pmt-escape-${randomBytes(6).toString('hex')}`;
    await writeTree(dir.path, { 'repo/payload.bin': payload });
    const hostile = (name: string, cmd: string): TestPlugin => ({ name, image: TestImages.curl, cmd: `${POST}\n${cmd}\ntrue`, results: ['result.bin'] });
    const registry = await writeRegistry(dir.path, [
      // Runs as plugin run 0: the target of the impostors.
      { name: 'legit', image: TestImages.curl, cmd: 'cp /input/payload.bin /result/result.bin', results: ['result.bin'] },
      // (a) no token, then a made-up one, posing as the legitimate plugin.
      hostile('no-token', `post -F name=legit -F id=0 ${FORGED}\npost -H "Authorization: Bearer nope" -F name=legit -F id=0 ${FORGED}`),
      // (b) its own valid token with the other plugin's id and/or name; guessed tokens; reading back.
      hostile('impostor', [
        `post ${OWN_TOKEN} -F name=legit -F id=0 ${FORGED}`,
        `post ${OWN_TOKEN} -F name=legit -F "id=$PMT_PLUGIN_ID" ${FORGED}`,
        `post ${OWN_TOKEN} -F "name=$PMT_PLUGIN_NAME" -F id=0 ${FORGED}`,
        'post -H "Authorization: Bearer $(printf %s "$PMT_TOKEN" | tr 0-9a-f 1-9a-f0)" -F name=legit -F id=0 ' + FORGED,
        'post -H "Authorization: Bearer $(head -c 32 /dev/zero | od -An -tx1 | tr -d " \\n")" -F name=legit -F id=0 ' + FORGED,
        'curl -sS --unix-socket "$PMT_API_SOCKET" http://pmt/results/0/result.bin; echo',
        'ls -A /run/pmt',
      ].join('\n')),
      // (c) path traversal in the file name.
      hostile('traversal', [`post ${AS_ITSELF} -F "result=@/input/payload.bin;filename=../../x"`, `post ${AS_ITSELF} -F "result=@/input/payload.bin;filename=../../${escape}"`].join('\n')),
      // (d) a declared result over MaxResultFileBytes, posted by the plugin and then by pmt's loop.
      hostile('oversize', `head -c 1048576 /dev/zero > /result/result.bin\npost ${AS_ITSELF} -F result=@/result/result.bin`),
      // (e) a file it did not declare.
      hostile('undeclared', `echo extra > /result/other.txt\npost ${AS_ITSELF} -F result=@/result/other.txt`),
    ]);
    const config = await writeNamedConfig(dir.path, 'config.json', { RestApi: true, MaxResultFileBytes: '64KiB', PathDirLogs: 'logs', PathDirResults: 'results' });
    const outside = [resolve(dir.path, '..', 'x'), resolve(dir.path, '..', escape), resolve('/', escape)];
    const outsideBefore = await Promise.all(outside.map(exists));

    const { code, report } = await scanJson({ cwd: dir.path, input: join(dir.path, 'repo'), registry, config });

    expect(code).toBe(1);
    expect(report.plugins.map((p) => p.name)).toEqual(['legit', 'no-token', 'impostor', 'traversal', 'oversize', 'undeclared']);
    const legit = pluginOf(report, 'legit');
    expect(legit).toMatchObject({ status: 'succeeded', transport: 'rest' });
    expect(legit.results.map((r) => [r.name, r.sha256])).toEqual([['result.bin', sha256(payload)]]);
    expect(await savedResults(report.resultsDir)).toEqual(['legit_result.bin']);
    expect((await readFile(join(report.resultsDir, 'legit_result.bin'))).equals(payload)).toBe(true);

    const reasons: Record<string, string[]> = {
      'no-token': ['declared result /result/result.bin of plugin no-token was not written; /result is empty'],
      impostor: ['HTTP 403: the token is not valid for plugin run 0', 'HTTP 422: field "name" is "legit", but plugin run 2 is plugin "impostor"'],
      traversal: ['HTTP 400: "../../x" must be a plain file name, not a path', `HTTP 400: "../../${escape}" must be a plain file name, not a path`],
      oversize: ['result file "result.bin" is larger than the limit of 64 KiB per file'],
      undeclared: ['HTTP 422: "other.txt" is not a declared result of plugin "undeclared" (declared: "result.bin")'],
    };
    for (const [name, expected] of Object.entries(reasons)) {
      const plugin = pluginOf(report, name);
      expect(plugin, name).toMatchObject({ status: 'failed', exitCode: 0, transport: 'rest', results: [] });
      expect(plugin.error?.origin, name).toBe('plugin');
      for (const reason of expected) expect(plugin.error?.message, name).toContain(reason);
    }
    // Refusals nobody can be charged with (no valid token) still answer the client.
    const noTokenLog = await readFile(pluginOf(report, 'no-token').logPath, 'utf8');
    expect(noTokenLog).toContain('{"error":"missing \\"Authorization: Bearer <token>\\" header"} [curl exit 22]');
    expect(noTokenLog).toContain('{"error":"invalid token"} [curl exit 22]');
    const impostorLog = await readFile(pluginOf(report, 'impostor').logPath, 'utf8');
    expect(impostorLog.match(/\{"error":"invalid token"\} \[curl exit 22\]/g)).toHaveLength(2);
    expect(impostorLog).toContain('{"error":"no route GET /results/0/result.bin"}');
    expect(impostorLog).toContain('\napi.sock\n');
    expect(await readFile(pluginOf(report, 'oversize').logPath, 'utf8')).toContain('is larger than the limit of 64 KiB per file"} [curl exit 22]');

    // Nothing of theirs anywhere: no traversal target, no store or socket dir left in the temp dir.
    const everything = await listTree(dir.path);
    expect(everything.filter((path) => basename(path) === 'x' || basename(path) === escape)).toEqual([]);
    expect(await Promise.all(outside.map(exists))).toEqual(outsideBefore);
    expect(await readdir(join(dir.path, 'tmp'))).toEqual([]);
  });
});
