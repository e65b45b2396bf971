import { randomBytes } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, savedResults, tempDir, writeRegistry, writeTree } from '../support/fixtures.js';
import { TestImages } from '../support/test-images.js';
import { docker } from '../support/engine-state.js';
import { timelinePhases } from '../../bench/lib/timeline-phases.mjs';
import { pluginOf, scanJson, sha256, writeNamedConfig } from './rest-scan.js';

const COPY_PAYLOAD = 'cp /input/payload.bin /result/result.bin';

describe('REST transport on the real engine', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let payload: Buffer;

  beforeEach(async () => {
    dir = await tempDir('pmt-rest-e2e-');
    repo = join(dir.path, 'repo');
    payload = randomBytes(48 * 1024);
    await writeTree(repo, { 'payload.bin': payload });
  });
  afterEach(async () => {
    await dir.remove();
  });

  const config = (name: string, values: Record<string, unknown>): Promise<string> =>
    writeNamedConfig(dir.path, `${name}.json`, { PathDirLogs: `logs-${name}`, PathDirResults: `results-${name}`, ...values });

  async function savedPayloadOf(resultsDir: string, plugin: string): Promise<Buffer> {
    expect(await savedResults(resultsDir)).toEqual([`${plugin}_result.bin`]);
    return readFile(join(resultsDir, `${plugin}_result.bin`));
  }

  it("marks each phase of a plugin's run in its debug log, in order (the timeline bench/parallel-timeline.mjs prints)", async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'copier', image: TestImages.curl, cmd: COPY_PAYLOAD, results: ['result.bin'] }]);
    const { code, stderr } = await scanJson({ cwd: dir.path, input: repo, registry, config: await config('timeline', { RestApi: true }), logLevel: 'debug' });

    expect(code).toBe(0);
    // The bench's own matchers: what it prints is what this run's log is checked for.
    const phases = timelinePhases(COPY_PAYLOAD);
    const lines = stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { plugin?: string; msg: string })
      .filter((line) => line.plugin === 'copier');
    const seen = lines.flatMap((line) => phases.filter(([, matches]) => matches(line.msg)).map(([name]) => name));
    // Saving waits for every plugin of the run; the removal goes on beside it, so those two may come in either order.
    expect(seen.slice(0, 7)).toEqual(['create', 'check', 'attached', 'started', 'cmd', 'upload', 'done']);
    expect(seen.slice(7).sort()).toEqual(['removed', 'saved']);
    expect(lines.filter((line) => line.msg.startsWith('Saved 1 result file(s) in '))).toHaveLength(1);
  });

  it('runs `curl -V` once per kind of container in a run: alike containers take its answer, in their logs too', async () => {
    const plugin = (name: string, image: string, env?: Record<string, string>) => ({ name, image, cmd: COPY_PAYLOAD, results: ['result.bin'], env });
    const registry = await writeRegistry(dir.path, [
      plugin('alike-1', TestImages.curl),
      plugin('alike-2', TestImages.curl),
      plugin('alike-3', TestImages.curl),
      // Another environment may change what curl does (PATH, LD_PRELOAD …): asked again.
      plugin('own-env', TestImages.curl, { CURL_HOME: '/tmp' }),
      plugin('no-curl-1', TestImages.shell),
      plugin('no-curl-2', TestImages.shell),
    ]);
    const { code, report } = await scanJson({ cwd: dir.path, input: repo, registry, config: await config('probe-once', { RestApi: true }) });

    expect(code).toBe(0);
    const logs = new Map<string, string>();
    for (const entry of report.plugins) {
      expect(entry).toMatchObject({ status: 'succeeded', error: null });
      expect((await readFile(join(report.resultsDir, `${entry.name}_result.bin`))).equals(payload)).toBe(true);
      logs.set(entry.name, await readFile(entry.logPath!, 'utf8'));
    }
    const ranProbe = (name: string): boolean => logs.get(name)!.includes('started: /bin/sh -c curl -V\n');
    const tookAnswerOf = (name: string): string | undefined => /`curl -V` not run again: it answered in (\S+)'s container in this run/.exec(logs.get(name)!)?.[1];
    const group = (names: string[]) => {
      const asked = names.filter(ranProbe);
      expect(asked).toHaveLength(1);
      for (const name of names.filter((n) => n !== asked[0])) {
        expect(tookAnswerOf(name)).toBe(asked[0]);
        // Its own container still proves its shell.
        expect(logs.get(name)).toContain('stdout of command /bin/sh -c echo test\ntest\n');
      }
    };
    group(['alike-1', 'alike-2', 'alike-3']);
    expect(ranProbe('own-env')).toBe(true);
    expect(tookAnswerOf('own-env')).toBeUndefined();
    // A missing curl is an answer too: both fall back, each saying so in its own log.
    group(['no-curl-1', 'no-curl-2']);
    for (const name of ['no-curl-1', 'no-curl-2']) {
      expect(pluginOf(report, name).transport).toBe('archive');
      expect(logs.get(name)).toMatch(/the REST transport needs curl in the plugin image; falling back to archive copy\n/);
    }
    for (const name of ['alike-1', 'alike-2', 'alike-3', 'own-env']) expect(pluginOf(report, name).transport).toBe('rest');
  });

  it("lets each finished plugin's container stop by itself, succeeded or failed: the engine kills none", async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    // A main shell that takes a second to end once its input has ended: a removal that did not wait
    // for the container to stop would have the engine kill it.
    await writeTree(repo, { 'slow-exit.sh': "#!/bin/sh\nif [ $# -eq 0 ]; then trap 'sleep 1' EXIT; /bin/sh; else exec /bin/sh \"$@\"; fi\n" });
    await chmod(join(repo, 'slow-exit.sh'), 0o755);
    const registry = await writeRegistry(dir.path, [
      { name: 'copier', image: TestImages.curl, shell: '/input/slow-exit.sh', cmd: COPY_PAYLOAD, results: ['result.bin'] },
      { name: 'failing', image: TestImages.curl, shell: '/input/slow-exit.sh', cmd: 'echo broken >&2; exit 3', results: ['result.bin'] },
    ]);
    const { code, report } = await scanJson({ cwd: dir.path, input: repo, registry, config: await config('no-kill', { RestApi: true }) });

    expect(code).not.toBe(0);
    expect(pluginOf(report, 'copier').status).toBe('succeeded');
    expect(pluginOf(report, 'failing').status).toBe('failed');
    const stream = (await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000) + 1, filters: { label: [`pmt.run=${report.runId}`], type: ['container'] } })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    const actions = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { Action: string; Actor: { Attributes: Record<string, string> } });
    const of = (plugin: string) => actions.filter((event) => event.Actor.Attributes['pmt.plugin'] === plugin).map((event) => event.Action);
    for (const plugin of ['copier', 'failing']) {
      expect(of(plugin)).toEqual(expect.arrayContaining(['create', 'start', 'die', 'destroy']));
      expect(of(plugin)).not.toContain('kill');
    }
  });

  it('falls back to archive copy, with a warning in the log, for an image without curl', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'no-curl', image: TestImages.shell, cmd: COPY_PAYLOAD, results: ['result.bin'] }]);
    const { code, report, stderr } = await scanJson({ cwd: dir.path, input: repo, registry, config: await config('fallback', { RestApi: true }) });

    expect(code).toBe(0);
    const plugin = pluginOf(report, 'no-curl');
    expect(plugin).toMatchObject({ status: 'succeeded', transport: 'archive', error: null });
    expect((await savedPayloadOf(report.resultsDir, 'no-curl')).equals(payload)).toBe(true);
    const log = await readFile(plugin.logPath, 'utf8');
    expect(log).toMatch(/pmt: .*the REST transport needs curl in the plugin image; falling back to archive copy\n/);
    const warnings = stderr.split('\n').filter((line) => line.includes('"level":40'));
    expect(warnings.some((line) => line.includes('falling back to archive copy for this plugin'))).toBe(true);
  });

  it('fails a plugin without curl when RestFallback is false, saying curl is missing', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'no-curl', image: TestImages.shell, cmd: COPY_PAYLOAD, results: ['result.bin'] }]);
    const { code, report } = await scanJson({ cwd: dir.path, input: repo, registry, config: await config('strict', { RestApi: true, RestFallback: false }) });

    expect(code).toBe(1);
    const plugin = pluginOf(report, 'no-curl');
    expect(plugin).toMatchObject({ status: 'failed', results: [] });
    expect(plugin.error?.origin).toBe('plugin');
    expect(plugin.error?.message).toContain('the REST transport needs curl in the plugin image');
    expect(plugin.error?.hint).toContain('add curl to the plugin image');
    // It failed before its command ran: nothing was saved.
    expect(plugin.exitCode).toBeNull();
    expect(await savedResults(report.resultsDir)).toEqual([]);
  });

  it('round-trips a result over TCP on 127.0.0.1 (container on the host network)', async () => {
    const cmd = `${COPY_PAYLOAD}; echo "api=$PMT_API_URL socket=\${PMT_API_SOCKET:-unset}"`;
    const registry = await writeRegistry(dir.path, [{ name: 'over-tcp', image: TestImages.curl, cmd, results: ['result.bin'] }]);
    const { code, report } = await scanJson({ cwd: dir.path, input: repo, registry, config: await config('tcp', { RestApi: true, RestTransport: 'tcp' }) });

    expect(code).toBe(0);
    const plugin = pluginOf(report, 'over-tcp');
    expect(plugin).toMatchObject({ status: 'succeeded', transport: 'rest' });
    expect(plugin.results.map((r) => r.sha256)).toEqual([sha256(payload)]);
    expect((await savedPayloadOf(report.resultsDir, 'over-tcp')).equals(payload)).toBe(true);
    expect(await readFile(plugin.logPath, 'utf8')).toMatch(/\napi=http:\/\/127\.0\.0\.1:\d+ socket=unset\n/);
  });

  it('accepts a plugin posting its own result, then the re-post of the declared file replaces it', async () => {
    const draft = randomBytes(1024);
    await writeTree(repo, { 'draft.bin': draft });
    // The plugin-facing contract: token, socket, name and id all come from the environment.
    const post = 'post() { curl -sS --fail-with-body --unix-socket "$PMT_API_SOCKET" -H "Authorization: Bearer $PMT_TOKEN" -F "name=$PMT_PLUGIN_NAME" -F "id=$PMT_PLUGIN_ID" -F "$1" http://pmt/save && echo; }';
    const cmd = [post, 'post "result=@/input/draft.bin;filename=result.bin"', COPY_PAYLOAD, 'post result=@/result/result.bin'].join('\n');
    const registry = await writeRegistry(dir.path, [{ name: 'self-post', image: TestImages.curl, cmd, results: ['result.bin'] }]);
    const { code, report } = await scanJson({ cwd: dir.path, input: repo, registry, config: await config('self', { RestApi: true }) });

    expect(code).toBe(0);
    const plugin = pluginOf(report, 'self-post');
    expect(plugin).toMatchObject({ status: 'succeeded', transport: 'rest' });
    // Accepted three times: its draft, its final file, then pmt's own post of the declared file.
    const stored = [...(await readFile(plugin.logPath, 'utf8')).matchAll(/\{"stored":\{"name":"result\.bin","size":(\d+),"sha256":"([0-9a-f]{64})"\}\}/g)];
    expect(stored.map((m) => [Number(m[1]), m[2]])).toEqual([
      [draft.length, sha256(draft)],
      [payload.length, sha256(payload)],
      [payload.length, sha256(payload)],
    ]);
    expect(plugin.results).toEqual([expect.objectContaining({ name: 'result.bin', size: payload.length, sha256: sha256(payload) })]);
    expect((await savedPayloadOf(report.resultsDir, 'self-post')).equals(payload)).toBe(true);
  });

  it('gives byte-identical results for file-hasher through REST and through archive copy', async () => {
    await writeTree(repo, { 'LICENSE': 'MIT License\n', 'src/main.c': 'int main(void) { return 0; }\n', 'src/deep/data.bin': randomBytes(70_000), 'empty.txt': '' });
    const registry = join(REPO_ROOT, 'plugins.yaml');
    const rest = await scanJson({ cwd: dir.path, input: repo, registry, plugins: 'file-hasher', config: await config('rest', { RestApi: true }) });
    const archive = await scanJson({ cwd: dir.path, input: repo, registry, plugins: 'file-hasher', config: await config('archive', { RestApi: false }) });

    expect([rest.code, archive.code]).toEqual([0, 0]);
    const [viaRest, viaArchive] = [pluginOf(rest.report, 'file-hasher'), pluginOf(archive.report, 'file-hasher')];
    expect([viaRest.transport, viaArchive.transport]).toEqual(['rest', 'archive']);
    expect([viaRest.status, viaArchive.status]).toEqual(['succeeded', 'succeeded']);
    const restBytes = await readFile(viaRest.results[0]!.localPath);
    const archiveBytes = await readFile(viaArchive.results[0]!.localPath);
    expect(restBytes.equals(archiveBytes)).toBe(true);
    expect(viaRest.results[0]!.sha256).toBe(sha256(archiveBytes));
    expect(viaArchive.results[0]!.sha256).toBe(sha256(restBytes));
    // And it is a real listing of the fixture, not two equal empty files.
    const listed = JSON.parse(restBytes.toString('utf8')) as { path: string; hashes: { sha256?: string } }[];
    const byPath = new Map(listed.map((entry) => [entry.path, entry.hashes.sha256]));
    for (const path of ['payload.bin', 'src/deep/data.bin', 'empty.txt']) {
      expect(byPath.get(path), path).toBe(sha256(await readFile(join(repo, path))));
    }
  });
});
