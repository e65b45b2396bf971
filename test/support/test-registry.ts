import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pack } from 'tar-stream';
import { docker } from './engine-state.js';
import { tempDir } from './fixtures.js';
import { freeLoopbackPort } from './free-port.js';

const run = promisify(execFile);

/**
 * The reference image registry (Debian's docker-registry, installed by scripts/setup-registry.sh) on
 * a free loopback port, with htpasswd auth and its storage in a temp dir. The engine trusts plain
 * HTTP on loopback, so it pulls and pushes without any daemon set-up.
 */
export interface TestRegistry {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /**
   * Pushes a one-layer image (a 2 MiB random file, so the engine reports download progress) as
   * `<host>/<repository>:<tag>` with the login, and removes every local trace of it.
   */
  pushTinyImage(repository: string, tag: string): Promise<string>;
  /**
   * What the registry logged since the last push: requests it authorized, and downloads of the pushed
   * image's layer (the engine may read the small config blob to learn the platform; that is no pull).
   */
  activity(): Promise<{ authorized: number; layerDownloads: number }>;
  close(): Promise<void>;
}

export async function startTestRegistry(user: string, pass: string): Promise<TestRegistry> {
  const dir = await tempDir('pmt-registry-');
  const port = await freeLoopbackPort();
  const host = `127.0.0.1:${port}`;
  const { stdout: htpasswd } = await run('htpasswd', ['-Bbn', user, pass]);
  await writeFile(join(dir.path, 'htpasswd'), htpasswd);
  await writeFile(
    join(dir.path, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: info, formatter: json, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${join(dir.path, 'data')} } }`,
      `http: { addr: "${host}" }`,
      `auth: { htpasswd: { realm: pmt-test, path: ${join(dir.path, 'htpasswd')} } }`,
      '',
    ].join('\n'),
  );
  const logPath = join(dir.path, 'registry.log');
  const log = createWriteStream(logPath);
  const child = spawn('docker-registry', ['serve', join(dir.path, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const listening = untilListening(child, host);
  child.stderr!.pipe(log);
  let logStart = 0;
  let layers: string[] = [];

  const close = async (): Promise<void> => {
    await stop(child);
    log.end();
    await dir.remove();
  };
  try {
    await listening;
  } catch (error) {
    await close();
    throw error;
  }

  const entries = async (): Promise<Record<string, unknown>[]> =>
    (await readFile(logPath, 'utf8'))
      .split('\n')
      .slice(logStart)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  return {
    host,
    async pushTinyImage(repository, tag) {
      const reference = `${host}/${repository}:${tag}`;
      const imported = await importTinyImage(reference);
      try {
        const stream = await docker.getImage(reference).push({ authconfig: { username: user, password: pass, serveraddress: host } });
        const events = await new Promise<{ error?: string }[]>((resolve, reject) =>
          docker.modem.followProgress(stream, (error: Error | null, result: { error?: string }[]) => (error ? reject(error) : resolve(result))),
        );
        const failed = events.find((e) => e.error);
        if (failed) throw new Error(`pushing ${reference} to the test registry failed: ${failed.error}`);
      } finally {
        await docker.getImage(imported).remove({ force: true }).catch(() => undefined);
      }
      layers = await layerDigests(host, repository, tag, `${user}:${pass}`);
      logStart = (await readFile(logPath, 'utf8')).split('\n').length - 1;
      return reference;
    },
    async activity() {
      const logged = await entries();
      return {
        authorized: logged.filter((e) => e.msg === 'authorized request').length,
        layerDownloads: logged.filter(
          (e) =>
            e.msg === 'response completed' &&
            e['http.request.method'] === 'GET' &&
            e['http.response.status'] === 200 &&
            layers.some((layer) => String(e['http.request.uri']).endsWith(`/blobs/${layer}`)),
        ).length,
      };
    },
    close,
  };
}

/** The layer digests of a pushed image, from its manifest in the registry. */
async function layerDigests(host: string, repository: string, tag: string, login: string): Promise<string[]> {
  const answer = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    headers: { authorization: `Basic ${Buffer.from(login).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  if (!answer.ok) throw new Error(`the test registry has no manifest for ${repository}:${tag} (HTTP ${answer.status})`);
  const manifest = (await answer.json()) as { layers: { digest: string }[] };
  return manifest.layers.map((layer) => layer.digest);
}

/** `docker import` of a one-file root file system, tagged as `reference`; returns the image id. */
export async function importTinyImage(reference: string): Promise<string> {
  const tar = pack();
  tar.entry({ name: 'payload.bin', mode: 0o755 }, randomBytes(2 * 1024 * 1024));
  tar.finalize();
  const [name, tag] = [reference.slice(0, reference.lastIndexOf(':')), reference.slice(reference.lastIndexOf(':') + 1)];
  const stream = await docker.importImage(tar as unknown as NodeJS.ReadableStream, { repo: name, tag });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (error: Error | null, result: unknown) => (error ? reject(error) : resolve(result))));
  return (await docker.getImage(reference).inspect()).Id;
}

/** Resolves when the registry logs that it listens (bounded), rejects if it exits first. */
function untilListening(child: ChildProcess, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`docker-registry did not listen on ${host} within 15 s: ${seen.slice(-500)}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (seen.includes(`listening on ${host}`)) done();
    };
    const onExit = (code: number | null): void => done(new Error(`docker-registry exited (${code}) before listening: ${seen.slice(-500)}`));
    const done = (error?: Error): void => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
