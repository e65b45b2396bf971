import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../../../src/registry/parse-registry.js';
import type { Plugin } from '../../../src/registry/plugin.js';
import { PLUGIN_DEFAULTS } from '../../support/plugin-defaults.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/registry/${name}`, import.meta.url));
const load = async (name: string) => parseRegistry(await readFile(fixture(name), 'utf8'), name, { baseDir: '/srv/pmt' });

const plugin = (name: string, version: string, image: string, shell: string, cmd: string, result: string): Plugin => ({
  name,
  version,
  image,
  shell,
  cmd,
  results: [result],
  importer: name,
  ...PLUGIN_DEFAULTS,
});

/** The original PMT client's four plugins, as any of its registry files should load. */
const ORIGINAL: Plugin[] = [
  plugin('Licensee', '9.14.0', 'pmtlicensee:latest', '/bin/sh', 'licensee detect /input/ --json > /result/result.json', 'result.json'),
  plugin('Scancode', '3.2.3', 'pmtscancode:latest', '/bin/bash', 'scancode --spdx-tv /result/result.spdx /input', 'result.spdx'),
  plugin('Composer', '2.0.8', 'pmtcomposer:latest', '/bin/sh', 'composer show --working-dir=/input --format=json > /result/result.json', 'result.json'),
  plugin('File-Hasher', '1.0.0', 'pmtfilehasher:latest', '/bin/sh', 'fh -i /input -o /result/result.json', 'result.json'),
];

describe("the original PMT client's registry files", () => {
  it('loads its YAML (defaultplugin index, dockerimg) unchanged', async () => {
    const registry = await load('original-plugins.yaml');
    expect(registry.available()).toEqual(ORIGINAL);
    expect(registry.default()?.name).toBe('Licensee');
  });

  it('loads its JSON twin (capitalised keys) to the same plugins', async () => {
    const yaml = await load('original-plugins.yaml');
    const json = await load('original-plugins.json');
    expect(json.available()).toEqual(yaml.available());
    expect(json.default()).toEqual(yaml.default());
  });
});

describe('the canonical R1.0 format', () => {
  it('loads to the same plugins from YAML and from JSON', async () => {
    const yaml = await load('plugins.yaml');
    const json = await load('plugins.json');
    expect(json.available()).toEqual(yaml.available());
    expect(json.default()?.name).toBe('licensee');
    expect(yaml.available()).toEqual([
      {
        name: 'licensee',
        version: '9.16.0',
        image: 'pmt/licensee:9.16.0',
        shell: '/bin/sh',
        cmd: 'licensee detect /input --json > /result/result.json',
        results: ['result.json'],
        importer: 'licensee',
        ...PLUGIN_DEFAULTS,
        coreVersion: '>=1.0.0 <2',
        build: '/srv/pmt/plugins/licensee',
      },
      {
        name: 'scancode',
        version: '32.0.8',
        image: 'ghcr.io/pmt/scancode:32.0.8',
        shell: '/bin/bash',
        cmd: 'scancode --spdx-tv /result/result.spdx /input',
        results: ['result.spdx'],
        importer: 'spdx',
        ...PLUGIN_DEFAULTS,
      },
    ]);
  });
});
