import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { loadRegistryFile } from '../../../src/registry/load-registry-file.js';
import { problemsOfAsync } from '../config/problems-of.js';

const YAML = `version: R1.0
plugins:
  - name: licensee
    version: 9.16.0
    docker_image: pmt/licensee:9.16.0
    shell: /bin/sh
    cmd: licensee detect /input --json > /result/result.json
    results: [result.json]
    build: ../plugins/licensee
`;

describe('loadRegistryFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pmt-registry-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a .yaml file and resolves build against the file directory', async () => {
    await mkdir(path.join(dir, 'conf'));
    const file = path.join(dir, 'conf', 'plugins.yaml');
    await writeFile(file, YAML);
    const registry = await loadRegistryFile(file);
    expect(registry.source).toBe(file);
    expect(registry.available()[0]?.build).toBe(path.join(dir, 'plugins', 'licensee'));
  });

  it('reads .yml, .json and extension-less files', async () => {
    const json = JSON.stringify({ Version: 'R1.0', Plugins: [{ Name: 'a', Version: '1', DockerImg: 'a', Shell: 'sh', Cmd: 'x', Results: ['r'] }] });
    await writeFile(path.join(dir, 'p.yml'), YAML);
    await writeFile(path.join(dir, 'p.json'), json);
    await writeFile(path.join(dir, 'registry'), json);
    expect((await loadRegistryFile(path.join(dir, 'p.yml'))).available()).toHaveLength(1);
    expect((await loadRegistryFile(path.join(dir, 'p.json'))).find('A')?.image).toBe('a');
    expect((await loadRegistryFile(path.join(dir, 'registry'))).find('a')?.results).toEqual(['r']);
  });

  it('rejects YAML syntax in a .json file', async () => {
    const file = path.join(dir, 'plugins.json');
    await writeFile(file, YAML);
    expect(await problemsOfAsync(() => loadRegistryFile(file))).toEqual([`${file}:1:1: invalid JSON: expected a JSON value, found "v"`]);
  });

  it('reports a missing file with a hint naming -r/--registry', async () => {
    const file = path.join(dir, 'missing.yaml');
    const error = await loadRegistryFile(file).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`${file}: cannot read the registry file: no such file`);
    expect((error as ConfigError).hint).toBe('pass an existing registry file with -r/--registry FILE');
  });

  it('reports a directory given as the registry', async () => {
    expect(await problemsOfAsync(() => loadRegistryFile(dir))).toEqual([`${dir}: cannot read the registry file: it is a directory`]);
  });

  it('reports every problem of a broken file with its position', async () => {
    const broken = new URL('../../fixtures/registry/broken.yaml', import.meta.url);
    const file = path.relative(process.cwd(), broken.pathname);
    expect(await problemsOfAsync(() => loadRegistryFile(file))).toEqual([
      `${file}:2:17: default_plugin: index 3 is out of range (plugins has 2: 0–1)`,
      `${file}:6:5: plugins[0]: unknown key "dockerimage" — did you mean "docker_image"?`,
      `${file}:9:14: plugins[0].results: expected a list, got a string ("result.json")`,
      `${file}:10:11: plugins[1].name: duplicate plugin name "Licensee" (plugins[0] has it; names are compared case-insensitively)`,
      `${file}:12:19: plugins[1].docker_image: invalid Docker image reference "PMT/Licensee:latest": the repository name must be lowercase`,
      `${file}:13:19: plugins[1].core_version: invalid semver range ">= one" (e.g. ">=1.0.0 <2")`,
      `${file}:16:15: plugins[1].results[0]: "../result.json" must be a plain file name, not a path`,
    ]);
  });
});
