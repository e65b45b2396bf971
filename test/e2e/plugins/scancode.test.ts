import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHint } from '../../../src/agent/build-hint.js';
import { loadRegistryFile } from '../../../src/registry/load-registry-file.js';
import { docker } from '../../support/engine-state.js';
import { copySampleRepo, REPO_ROOT, savedResults, tempDir } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { BUNDLED_REGISTRY, scanWithPlugin } from './bundled-plugin-scan.js';

/** The bundled scancode plugin: its image downloads ScanCode while building, which cannot happen here. */
const scancode = (await loadRegistryFile(BUNDLED_REGISTRY)).find('scancode')!;
const BUILD_DIR = join(REPO_ROOT, 'plugins', 'scancode');

async function engineHasImage(reference: string): Promise<boolean> {
  return docker
    .getImage(reference)
    .inspect()
    .then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return false;
        throw error;
      },
    );
}

interface ListJson {
  plugins: { name: string; image: string; imageStatus: string; imageId: string | null; build: string | null }[];
}

describe('bundled plugin scancode (image not buildable offline)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeAll(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    // What every test below relies on: this engine really lacks the image.
    expect(await engineHasImage(scancode.image), `${scancode.image} exists on this engine; these tests expect it not built`).toBe(false);
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('pmt -l --json lists it as "not built", with the directory to build it from', async () => {
    const run = await runPmt(['-l', '--json', '-r', BUNDLED_REGISTRY], { cwd: dir.path });
    expect(run.code).toBe(0);
    const listed = (JSON.parse(run.stdout) as ListJson).plugins.find((p) => p.name === 'scancode');
    expect(listed).toMatchObject({ image: 'pmt/scancode:32.5.0', imageStatus: 'not built', imageId: null, build: BUILD_DIR });
  });

  it('the bundled entry tells how to build its image', () => {
    expect(scancode.build).toBe(BUILD_DIR);
    expect(buildHint(scancode)).toContain('build it with `pmt build -p scancode`');
  });

  it('pmt scan -p scancode fails (exit 1, origin docker) with the build command, and nothing pretends ScanCode ran', async () => {
    // The bundled entry as is: its image is built from plugins/scancode, so pmt never pulls it
    // (a registry image of that name could be anyone's) and no byte leaves this machine.
    const image = scancode.image;
    const registry = BUNDLED_REGISTRY;
    const scan = await scanWithPlugin('scancode', repo, dir.path, registry);
    expect(scan.code).toBe(1);
    expect(scan.report.exitCode).toBe(1);
    const { plugin } = scan;
    expect(plugin).toMatchObject({ status: 'failed', exitCode: null, transport: null, imageId: null, results: [] });
    expect(plugin.error?.origin).toBe('docker');
    expect(plugin.error?.message).toContain(`image ${image} is not built: plugin "scancode" is built from ${BUILD_DIR}, so pmt does not pull it`);
    expect(plugin.error?.hint).toContain(`build it with \`pmt build -p scancode -r ${registry}\``);

    // No result file anywhere, no image appeared, and the plugin's log says why it failed.
    expect(await savedResults(join(dir.path, 'results'))).toEqual([]);
    expect(await engineHasImage(image)).toBe(false);
    const log = await readFile(plugin.logPath!, 'utf8');
    expect(log).toContain(`pmt: failed: image ${image} is not built`);
    expect(log).not.toContain('scancode -cli');
  });
});
