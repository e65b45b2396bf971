import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SAMPLE_REPO = join(REPO_ROOT, 'samples', 'apache-project');

/** A temp dir removed by the returned cleanup. */
export async function tempDir(prefix = 'pmt-test-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Writes a small tree of files: `{ 'LICENSE': '...', 'src/a.c': '...' }`. */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

/** A copy of the bundled sample repo (Apache-2.0 LICENSE, README, an SPDX-tagged source file). */
export async function copySampleRepo(into: string): Promise<string> {
  const path = join(into, 'repo');
  await cp(SAMPLE_REPO, path, { recursive: true });
  return path;
}

/** Every file's path and content, to prove a tree was not changed. */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out[relative(root, path)] = `${(await stat(path)).mode}:${(await readFile(path)).toString('base64')}`;
    }
  };
  await walk(root);
  return out;
}

export interface TestPlugin {
  name: string;
  image: string;
  cmd: string;
  results?: string[];
  shell?: string;
  version?: string;
  core_version?: string;
  importer?: string;
  env?: Record<string, string>;
}

/** Writes a registry file for test plugins and returns its path. */
export async function writeRegistry(dir: string, plugins: TestPlugin[], defaultPlugin?: string): Promise<string> {
  const path = join(dir, 'plugins.yaml');
  const document = {
    version: 'R1.0',
    ...(defaultPlugin ? { default_plugin: defaultPlugin } : {}),
    plugins: plugins.map((p) => ({
      name: p.name,
      version: p.version ?? '1.0.0',
      ...(p.core_version ? { core_version: p.core_version } : {}),
      docker_image: p.image,
      shell: p.shell ?? '/bin/sh',
      cmd: p.cmd,
      results: p.results ?? ['result.txt'],
      ...(p.importer ? { importer: p.importer } : {}),
      ...(p.env ? { env: p.env } : {}),
    })),
  };
  await writeFile(path, stringify(document));
  return path;
}

/** A core engine config file for tests: temp logs/results unless given. */
export async function writeConfig(dir: string, values: Record<string, unknown>): Promise<string> {
  const path = join(dir, 'core_engine_config.json');
  await writeFile(path, JSON.stringify(values, null, 2));
  return path;
}

/**
 * The result files a scan saved in `dir`, sorted: every entry but the run's provenance record
 * (which every scan writes there); [] when the directory does not exist.
 */
export async function savedResults(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => name !== 'pmt-provenance.intoto.json').sort();
}
