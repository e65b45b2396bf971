import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import type { Config } from '../../../src/config/config.js';
import { DEFAULT_CONFIG } from '../../../src/config/config-defaults.js';
import { resolveConfig, type ResolveConfigOptions } from '../../../src/config/resolve-config.js';
import { CONFIG_FILE_NAME, lookUpConfig } from '../../../src/lookup/input-lookup.js';
import { problemsOfAsync } from './problems-of.js';

describe('resolveConfig', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pmt-config-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  /** As the CLI does: the lookup chooses the file (no user config dir), resolveConfig reads it. */
  const resolveIn = async (options: Omit<ResolveConfigOptions, 'source'> & { flag?: string }): Promise<Config> => {
    const source = await lookUpConfig({ cwd: options.cwd, env: { ...options.env, XDG_CONFIG_HOME: path.join(cwd, 'no-user-config') }, flag: options.flag });
    const { flag: _flag, ...rest } = options;
    return resolveConfig({ ...rest, source });
  };

  const write = async (name: string, content: unknown): Promise<string> => {
    const file = path.join(cwd, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  it('uses the built-in defaults when there is no config file', async () => {
    const config = await resolveIn({ cwd, env: {} });
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.source).toBe('built-in defaults');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads core_engine_config.json from the working directory', async () => {
    const file = await write(CONFIG_FILE_NAME, { RestApi: false, PathDirResults: 'out' });
    const config = await resolveIn({ cwd, env: {} });
    expect(config).toMatchObject({ restApi: false, pathDirResults: path.join(cwd, 'out'), source: file });
  });

  it('reads --config, relative to the working directory, with paths relative to that file', async () => {
    await write(CONFIG_FILE_NAME, { RestApi: false });
    await write('etc/pmt.json', { PathDirLogs: '../logs', RestFallback: false });
    const config = await resolveIn({ cwd, flag: 'etc/pmt.json', env: {} });
    expect(config).toMatchObject({ restApi: true, restFallback: false, pathDirLogs: path.join(cwd, 'logs'), source: path.join(cwd, 'etc/pmt.json') });
  });

  it('fails when --config names a missing file', async () => {
    const error = await resolveIn({ cwd, flag: 'nope.json', env: {} }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`${path.join(cwd, 'nope.json')}: cannot read the config file: no such file`);
    expect((error as ConfigError).hint).toBe('check the -c path');
    const fromEnv = await resolveIn({ cwd, env: { PMT_CONFIG: 'gone.json' } }).catch((thrown: unknown) => thrown);
    expect((fromEnv as ConfigError).hint).toBe('check the PMT_CONFIG path');
  });

  it('fails when the file the lookup found cannot be read rather than falling back to the defaults', async () => {
    const file = await write(CONFIG_FILE_NAME, { RestApi: false });
    const source = await lookUpConfig({ cwd, env: { XDG_CONFIG_HOME: path.join(cwd, 'none') } });
    await rm(file);
    await mkdir(file);
    const error = await resolveConfig({ cwd, env: {}, source }).catch((thrown: unknown) => thrown);
    expect((error as ConfigError).problems.map((p) => `${p.file}: ${p.message}`)).toEqual([`${file}: cannot read the config file: it is a directory`]);
    expect((error as ConfigError).hint).toBeUndefined();
  });

  it('lets the environment override credentials and the server; empty variables change nothing', async () => {
    await write(CONFIG_FILE_NAME, { RemoteRepoUser: 'file-user', RemoteRepoPass: 'file-pass', ServerUrl: 'http://file:8081' });
    const env = { REMOTEREPO_USER: 'env-user', REMOTEREPO_PASS: 'env-pass', PMT_SERVER_URL: 'https://env.example/pmt/' };
    expect(await resolveIn({ cwd, env })).toMatchObject({ remoteRepoUser: 'env-user', remoteRepoPass: 'env-pass', serverUrl: 'https://env.example/pmt' });
    const empty = { REMOTEREPO_USER: '', REMOTEREPO_PASS: '', PMT_SERVER_URL: '' };
    expect(await resolveIn({ cwd, env: empty })).toMatchObject({ remoteRepoUser: 'file-user', remoteRepoPass: 'file-pass', serverUrl: 'http://file:8081' });
  });

  it('lets flags win over the environment and the file', async () => {
    await write(CONFIG_FILE_NAME, { RestApi: true, MaxRunResultBytes: '2MiB' });
    const config = await resolveIn({
      cwd,
      env: { PMT_SERVER_URL: 'http://env:8081', REMOTEREPO_USER: 'env-user' },
      overrides: { serverUrl: 'http://flag:8081/', restApi: false, remoteRepoUser: undefined, pathDirResults: 'res', maxRunResultBytes: 5 },
    });
    expect(config).toMatchObject({ serverUrl: 'http://flag:8081', restApi: false, remoteRepoUser: 'env-user', pathDirResults: path.join(cwd, 'res'), maxRunResultBytes: 5 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes only Config fields from the overrides object', async () => {
    const overrides = { restApi: false, source: 'flags', verbose: true } as unknown as Parameters<typeof resolveConfig>[0]['overrides'];
    const config = await resolveIn({ cwd, env: {}, overrides });
    expect(config).toEqual({ ...DEFAULT_CONFIG, restApi: false });
  });

  it('turns uploading off and clears credentials with empty flag values', async () => {
    const config = await resolveIn({ cwd, env: { PMT_SERVER_URL: 'http://env:8081', REMOTEREPO_PASS: 'x' }, overrides: { serverUrl: '', remoteRepoPass: '' } });
    expect(config.serverUrl).toBeUndefined();
    expect(config.remoteRepoPass).toBeUndefined();
  });

  it('reports the problems of file, environment and flags together', async () => {
    const file = await write(CONFIG_FILE_NAME, '{\n  "RestAPI": true\n}');
    const problems = await problemsOfAsync(() =>
      resolveIn({ cwd, env: { PMT_SERVER_URL: 'pmt.example' }, overrides: { serverUrl: 'ftp://x', maxResultFileBytes: 0, filestoreMemoryBytes: -1 } }),
    );
    expect(problems).toEqual([
      `${file}:2:3: unknown key "RestAPI" — did you mean "RestApi"?`,
      'environment variable PMT_SERVER_URL: "pmt.example" is not a URL (e.g. "http://localhost:8081")',
      'command-line option serverUrl: "ftp://x" must be an http:// or https:// URL',
      'command-line option maxResultFileBytes: 0 is not a whole number of bytes ≥ 1',
      'command-line option filestoreMemoryBytes: -1 is not a whole number of bytes ≥ 0',
    ]);
  });
});
