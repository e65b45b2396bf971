import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { DEFAULT_CONFIG } from '../../../src/config/config-defaults.js';
import { CONFIG_HINT, parseConfig } from '../../../src/config/parse-config.js';
import { problemsOf } from './problems-of.js';

const fixture = async (name: string): Promise<string> => readFile(fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url)), 'utf8');
const parse = (text: string, file = 'core_engine_config.json') => parseConfig(text, file, '/etc/pmt');
const problems = (text: string, file = 'cfg.json') => problemsOf(() => parse(text, file));
const MiB = 2 ** 20;

describe('parseConfig', () => {
  it('gives the defaults for an empty object, with the file as source', () => {
    expect(parse('{}')).toEqual({ ...DEFAULT_CONFIG, source: 'core_engine_config.json' });
    expect(DEFAULT_CONFIG).toEqual({
      restApi: true,
      restTransport: 'unix',
      restFallback: true,
      remoteRepoUser: undefined,
      remoteRepoPass: undefined,
      saveResultsLocally: true,
      pathDirResults: '',
      pathDirLogs: '',
      serverUrl: undefined,
      maxResultFileBytes: 256 * MiB,
      maxRunResultBytes: 1024 * MiB,
      filestoreMemoryBytes: 64 * MiB,
      defaultTimeoutMs: 30 * 60_000,
      defaultMemoryBytes: 2048 * MiB,
      defaultCpus: 0,
      defaultPids: 1024,
      cacheDir: '',
      engine: 'local',
      restAdvertiseAddr: '',
      swarmPlacementTimeoutMs: 60_000,
      source: 'built-in defaults',
    });
  });

  it("reads the original client's config: empty credentials and directories stay unset", async () => {
    expect(parse(await fixture('original.json'))).toEqual({ ...DEFAULT_CONFIG, source: 'core_engine_config.json' });
  });

  it('reads every key; sizes as integers or unit strings; relative directories against the config directory', async () => {
    expect(parse(await fixture('full.json'))).toEqual({
      restApi: false,
      restTransport: 'tcp',
      restFallback: false,
      remoteRepoUser: 'robot',
      remoteRepoPass: 's3cret',
      saveResultsLocally: false,
      pathDirResults: '/etc/pmt/results',
      pathDirLogs: '/var/log/pmt',
      serverUrl: 'https://pmt.example.com',
      maxResultFileBytes: 10 * MiB,
      maxRunResultBytes: 50_000_000,
      filestoreMemoryBytes: 500_000,
      defaultTimeoutMs: 90_000,
      defaultMemoryBytes: 512 * MiB,
      defaultCpus: 1.5,
      defaultPids: 256,
      cacheDir: '/etc/pmt/cache',
      engine: 'swarm',
      restAdvertiseAddr: '10.20.30.40',
      swarmPlacementTimeoutMs: 120_000,
      source: 'core_engine_config.json',
    });
  });

  it('reads the repository root core_engine_config.json as the defaults', async () => {
    const text = await readFile(fileURLToPath(new URL('../../../core_engine_config.json', import.meta.url)), 'utf8');
    expect(parse(text)).toEqual({ ...DEFAULT_CONFIG, source: 'core_engine_config.json' });
  });

  it('returns a frozen config', () => {
    const config = parse('{"RestApi": false}');
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { restApi: boolean }).restApi = true;
    }).toThrow(TypeError);
  });

  it('treats ServerUrl "" as no server', () => {
    expect(parse('{"ServerUrl": ""}').serverUrl).toBeUndefined();
    expect(parse('{"ServerUrl": "http://localhost:8081"}').serverUrl).toBe('http://localhost:8081');
  });

  it('reads a YAML config too', () => {
    expect(parse('RestApi: false\nMaxResultFileBytes: 1MiB\n', 'pmt.yaml')).toMatchObject({ restApi: false, maxResultFileBytes: MiB });
  });

  it('reports a syntax error with its position', () => {
    expect(problems('{\n  "RestApi": true\n  "RestFallback": false\n}')).toEqual(["cfg.json:3:3: invalid JSON: expected ',' or '}', found \"\\\"\""]);
  });

  it('reports unknown keys, suggesting the closest known one', () => {
    expect(problems('{\n  "restapi": true,\n  "ServerURL": "http://x",\n  "Colour": "red"\n}')).toEqual([
      'cfg.json:2:3: unknown key "restapi" — did you mean "RestApi"?',
      'cfg.json:3:3: unknown key "ServerURL" — did you mean "ServerUrl"?',
      'cfg.json:4:3: unknown key "Colour"',
    ]);
  });

  it('reports wrong types and values', () => {
    expect(problems('{\n  "RestApi": "yes",\n  "RestTransport": "udp",\n  "RemoteRepoUser": 42,\n  "PathDirLogs": null\n}')).toEqual([
      'cfg.json:2:14: RestApi: expected true or false, got a string ("yes")',
      'cfg.json:3:20: RestTransport: must be one of "unix", "tcp", not "udp"',
      'cfg.json:4:21: RemoteRepoUser: expected a string, got an integer (42)',
      'cfg.json:5:18: PathDirLogs: expected a string, got an empty value',
    ]);
    expect(problems('[]')).toEqual(['cfg.json:1:1: expected a mapping, got a list']);
    // One problem per value: a wrong type is not also reported as "not one of".
    expect(problems('{"RestTransport": 5}')).toEqual(['cfg.json:1:19: RestTransport: expected a string, got an integer (5)']);
  });

  it('reports an invalid server URL', () => {
    expect(problems('{"ServerUrl": "localhost:8081"}')).toEqual(['cfg.json:1:15: ServerUrl: "localhost:8081" must be an http:// or https:// URL']);
    expect(problems('{"ServerUrl": "not a url"}')).toEqual(['cfg.json:1:15: ServerUrl: "not a url" is not a URL (e.g. "http://localhost:8081")']);
    expect(problems('{"ServerUrl": "http://pmt/api?x=1"}')).toEqual(['cfg.json:1:15: ServerUrl: "http://pmt/api?x=1" must be a base URL without "?query" or "#fragment"']);
  });

  it('reports invalid sizes', () => {
    expect(problems('{\n  "MaxResultFileBytes": "lots",\n  "MaxRunResultBytes": 0,\n  "FilestoreMemoryBytes": -1,\n  "MaxRunResultBytes2": 1\n}')).toEqual([
      'cfg.json:2:25: MaxResultFileBytes: "lots" is not a size (e.g. 1048576, "64MiB", "1GiB" or "500kB")',
      'cfg.json:3:24: MaxRunResultBytes: must be at least 1 byte',
      'cfg.json:4:27: FilestoreMemoryBytes: -1 is negative',
      'cfg.json:5:3: unknown key "MaxRunResultBytes2" — did you mean "MaxRunResultBytes"?',
    ]);
    expect(problems('{"FilestoreMemoryBytes": 1.5}')).toEqual(['cfg.json:1:26: FilestoreMemoryBytes: expected an integer or a string, got a number (1.5)']);
    expect(parse('{"FilestoreMemoryBytes": 0}').filestoreMemoryBytes).toBe(0);
  });

  it('throws one ConfigError with every problem and a hint', () => {
    const error = (() => {
      try {
        parse('{"RestApi": 1, "Nope": 2, "ServerUrl": "ftp://x"}');
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).hint).toBe(CONFIG_HINT);
    expect((error as ConfigError).exitCode).toBe(2);
  });
});
