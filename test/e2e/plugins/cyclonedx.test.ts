import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleRepo, tempDir, writeTree } from '../../support/fixtures.js';
import { savedResult, scanWithPlugin } from './bundled-plugin-scan.js';

const run = promisify(execFile);

interface CycloneDxComponent {
  name: string;
  version: string;
  purl: string;
  'bom-ref': string;
  licenses?: { license: { id?: string; name?: string } }[];
}
interface CycloneDxBom {
  bomFormat: string;
  specVersion: string;
  metadata: { component: { name: string; version?: string } };
  components: CycloneDxComponent[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

/** The JSON schemas the generator itself ships, read from the plugin image (the copy it runs with). */
const SCHEMA_DIR = '/opt/cyclonedx/node_modules/@cyclonedx/cyclonedx-library/res/schema';
const IMAGE = 'pmt/cyclonedx:2.1.0';

async function schemaFromImage(file: string): Promise<object> {
  const { stdout } = await run('docker', ['run', '--rm', '--network', 'none', IMAGE, 'cat', `${SCHEMA_DIR}/${file}`], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as object;
}

async function cycloneDxValidator(): Promise<(bom: unknown) => string[]> {
  // The official schemas use keywords ajv's strict mode rejects (e.g. `meta:enum`); formats are checked.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // ajv-formats has no IRI formats: an IRI reference is a URI reference once its non-ASCII is escaped.
  const uriReference = fullFormats['uri-reference'] as RegExp;
  ajv.addFormat('iri-reference', (value: string) => uriReference.test(value.replace(/[^\x00-\x7f]/gu, (c) => encodeURIComponent(c))));
  ajv.addFormat('idn-email', fullFormats.email as RegExp);
  // The BOM schema refers to its neighbours by their file names (`spdx.SNAPSHOT.schema.json`).
  for (const file of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const { $id: _id, ...schema } = (await schemaFromImage(file)) as { $id?: string };
    ajv.addSchema(schema, `http://cyclonedx.org/schema/${file}`);
  }
  const validate = ajv.compile(await schemaFromImage('bom-1.6.SNAPSHOT.schema.json'));
  return (bom) => (validate(bom) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

/** Dependencies of the fixture project: name → [version, declared license]. */
const DEPENDENCIES: Record<string, [string, string]> = {
  'is-number': ['7.0.0', 'MIT'],
  'left-pad': ['1.3.0', 'WTFPL'],
};

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const PACKAGE_JSON = json({
  name: 'fixture-app',
  version: '1.2.3',
  license: 'MIT',
  dependencies: Object.fromEntries(Object.keys(DEPENDENCIES).map((name) => [name, `^${DEPENDENCIES[name]![0]}`])),
});

/** A package-lock.json (v3) as npm writes it, with the license npm records per package. */
const PACKAGE_LOCK = json({
  name: 'fixture-app',
  version: '1.2.3',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'fixture-app', version: '1.2.3', license: 'MIT', dependencies: JSON.parse(PACKAGE_JSON).dependencies },
    ...Object.fromEntries(
      Object.entries(DEPENDENCIES).map(([name, [version, license]]) => [
        `node_modules/${name}`,
        { version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`, license },
      ]),
    ),
  },
});

describe('bundled plugin cyclonedx', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let validate: (bom: unknown) => string[];
  beforeAll(async () => {
    dir = await tempDir();
    validate = await cycloneDxValidator();
  });
  afterAll(async () => {
    await dir.remove();
  });

  async function sbomOf(repo: string, work: string): Promise<{ bom: CycloneDxBom; log: string }> {
    const scan = await scanWithPlugin('cyclonedx', repo, work);
    const bom = JSON.parse((await savedResult(scan, work, 'bom.cdx.json')).toString('utf8')) as CycloneDxBom;
    expect(validate(bom)).toEqual([]);
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.6');
    return { bom, log: await readFile(scan.plugin.logPath, 'utf8') };
  }

  const expectFixtureComponents = (bom: CycloneDxBom, names: string[]): void => {
    expect(bom.metadata.component).toMatchObject({ name: 'fixture-app', version: '1.2.3' });
    expect(bom.components.map((c) => c.name).sort()).toEqual(names);
    for (const name of names) {
      const [version, license] = DEPENDENCIES[name]!;
      const component = bom.components.find((c) => c.name === name)!;
      expect(component.version).toBe(version);
      expect(component.purl).toBe(`pkg:npm/${name}@${version}`);
      expect(component.licenses?.map((l) => l.license.id)).toEqual([license]);
    }
  };

  it('describes the dependencies of a project from its lock file alone, valid against the CycloneDX 1.6 schema', async () => {
    const repo = join(dir.path, 'lock-only', 'repo');
    await writeTree(repo, { 'package.json': PACKAGE_JSON, 'package-lock.json': PACKAGE_LOCK, 'index.js': "require('left-pad');\n" });
    const { bom, log } = await sbomOf(repo, join(dir.path, 'lock-only'));

    expectFixtureComponents(bom, ['is-number', 'left-pad']);
    const root = bom.dependencies.find((d) => d.ref === 'fixture-app@1.2.3');
    expect(root?.dependsOn?.sort()).toEqual(['is-number@7.0.0', 'left-pad@1.3.0']);
    expect(log).toContain('reading the lock file only');
    // The validator is not vacuous: a BOM without its required keys fails it.
    expect(validate({ bomFormat: 'CycloneDX', components: [{ name: 'x' }] })).not.toEqual([]);
  });

  it('reads installed node_modules and says in the log what it could not resolve', async () => {
    const repo = join(dir.path, 'installed', 'repo');
    // is-number is installed; left-pad is in the lock file but missing from node_modules.
    await writeTree(repo, {
      'package.json': PACKAGE_JSON,
      'package-lock.json': PACKAGE_LOCK,
      'node_modules/is-number/package.json': json({ name: 'is-number', version: '7.0.0', license: 'MIT' }),
    });
    const { bom, log } = await sbomOf(repo, join(dir.path, 'installed'));

    expectFixtureComponents(bom, ['is-number']);
    expect(log).toContain('reading the installed node_modules');
    expect(log).toContain('missing: left-pad@^1.3.0, required by fixture-app@1.2.3');
  });

  it('gives the sample repository (no npm project) a valid SBOM with no components, and says why', async () => {
    const work = join(dir.path, 'sample');
    const repo = await copySampleRepo(work);
    const { bom, log } = await sbomOf(repo, work);

    expect(bom.components).toEqual([]);
    expect(log).toContain('no package.json in the input');
  });

  it('fails with what to do when package.json has neither a lock file nor node_modules', async () => {
    const work = join(dir.path, 'unresolvable');
    const repo = join(work, 'repo');
    await writeTree(repo, { 'package.json': PACKAGE_JSON });
    const scan = await scanWithPlugin('cyclonedx', repo, work);

    expect(scan.code).toBe(1);
    expect(scan.plugin.status).toBe('failed');
    expect(scan.plugin.exitCode).toBe(3);
    const log = await readFile(scan.plugin.logPath, 'utf8');
    expect(log).toContain('dependency versions cannot be resolved offline; run npm install (or commit package-lock.json)');
  });
});
