import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../support/fixtures.js';
import { savedResult, scanWithPlugin } from './bundled-plugin-scan.js';

interface LicenseFinderJson {
  dependencies: { name: string; version: string; licenses: string[] }[];
}

/** Installed dependencies of the fixture project: name → [version, license]. */
const DEPENDENCIES: Record<string, [string, string]> = {
  'tiny-dep': ['1.2.3', 'ISC'],
  'other-dep': ['0.4.0', 'BSD-2-Clause'],
};

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

describe('bundled plugin license-finder', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeAll(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    // An npm project whose node_modules is present: license_finder reads it offline (no npm install).
    const files: Record<string, string> = {
      'package.json': json({
        name: 'fixture-app',
        version: '1.0.0',
        private: true,
        dependencies: Object.fromEntries(Object.entries(DEPENDENCIES).map(([name, [version]]) => [name, version])),
      }),
      'index.js': "require('tiny-dep');\n",
    };
    for (const [name, [version, license]] of Object.entries(DEPENDENCIES)) {
      files[`node_modules/${name}/package.json`] = json({ name, version, license, main: 'index.js' });
      files[`node_modules/${name}/index.js`] = 'module.exports = 1;\n';
    }
    await writeTree(repo, files);
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('reports each installed npm dependency with its declared license', async () => {
    const scan = await scanWithPlugin('license-finder', repo, dir.path);
    const result = JSON.parse((await savedResult(scan, dir.path, 'result.json')).toString('utf8')) as LicenseFinderJson;

    for (const [name, [version, license]] of Object.entries(DEPENDENCIES)) {
      expect(result.dependencies).toContainEqual({ name, version, licenses: [license] });
    }
    // license_finder also lists the project itself; nothing else shows up.
    expect(result.dependencies.map((d) => d.name).sort()).toEqual(['fixture-app', ...Object.keys(DEPENDENCIES)].sort());
  });
});
