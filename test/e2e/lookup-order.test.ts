import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { runPmt, spawnPmt } from '../support/run-pmt.js';
import { TestImages } from '../support/test-images.js';

const BUNDLED = join(REPO_ROOT, 'plugins.yaml');

interface ListJson {
  registry: string;
  registryLookup: { file: string; origin: string; why: string };
  plugins: { name: string; build: string | null }[];
}

interface DoctorJson {
  findings: { check: string; status: string; message: string }[];
}

/** pmt as a user runs it from some project directory, with its own user config dir. */
describe('registry and config lookup from any directory (pmt -l, pmt doctor)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let project: string;
  let xdg: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    dir = await tempDir();
    project = join(dir.path, 'project');
    xdg = join(dir.path, 'xdg');
    await mkdir(project, { recursive: true });
    await mkdir(join(xdg, 'pmt'), { recursive: true });
    env = { XDG_CONFIG_HOME: xdg, PMT_REGISTRY: '', PMT_CONFIG: '' };
  });
  afterEach(async () => {
    await dir.remove();
  });

  const list = async (extraEnv: NodeJS.ProcessEnv = {}): Promise<ListJson> => {
    const run = await runPmt(['-l', '--json'], { cwd: project, env: { ...env, ...extraEnv } });
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as ListJson;
  };

  it('the built pmt started in a directory without a registry lists the bundled one and says so', async () => {
    const run = await spawnPmt(['-l'], { cwd: project, env }).result;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^licensee \*\s+9\.15\.2\s+pmt\/licensee:9\.15\.2\s+present$/m);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(`Registry: ${BUNDLED} (bundled with pmt)`);
  });

  it('each level shadows the next: PMT_REGISTRY > ./plugins.yaml > user config dir > bundled; relative build dirs stay relative to their file', async () => {
    expect((await list()).registryLookup).toEqual({ file: BUNDLED, origin: 'bundled', why: 'bundled with pmt' });
    expect((await list()).plugins.find((p) => p.name === 'licensee')?.build).toBe(join(REPO_ROOT, 'plugins', 'licensee'));

    const user = join(xdg, 'pmt');
    await writeFile(join(user, 'plugins.yaml'), `version: R1.0\nplugins:\n  - {name: team, version: "1", docker_image: team/t:1, build: team, shell: /bin/sh, cmd: "true", results: [r.txt]}\n`);
    const fromUser = await list();
    expect(fromUser.registryLookup).toEqual({ file: join(user, 'plugins.yaml'), origin: 'user', why: 'user config dir' });
    expect(fromUser.plugins).toMatchObject([{ name: 'team', build: join(user, 'team') }]);

    await writeRegistry(project, [{ name: 'local', image: TestImages.shell, cmd: 'true' }]);
    const fromCwd = await list();
    expect(fromCwd.registryLookup).toEqual({ file: join(project, 'plugins.yaml'), origin: 'cwd', why: 'working directory' });
    expect(fromCwd.plugins.map((p) => p.name)).toEqual(['local']);

    const elsewhere = join(dir.path, 'elsewhere');
    await mkdir(elsewhere);
    await writeRegistry(elsewhere, [{ name: 'env-chosen', image: TestImages.shell, cmd: 'true' }]);
    const fromEnv = await list({ PMT_REGISTRY: join(elsewhere, 'plugins.yaml') });
    expect(fromEnv.registryLookup).toMatchObject({ origin: 'env', why: 'PMT_REGISTRY' });
    expect(fromEnv.plugins.map((p) => p.name)).toEqual(['env-chosen']);

    const text = await runPmt(['-l', '-r', BUNDLED], { cwd: project, env: { ...env, PMT_REGISTRY: join(elsewhere, 'plugins.yaml') } });
    expect(text.stdout.trim().split('\n').at(-1)).toBe(`Registry: ${BUNDLED} (-r)`);
  });

  it('pmt doctor names the registry and config it used and why; a config in the user dir resolves its paths against itself', async () => {
    await writeRegistry(project, [{ name: 'probe', image: TestImages.curl, cmd: 'true' }]);
    const user = join(xdg, 'pmt');
    await writeConfig(user, { PathDirResults: 'results' });

    const run = await runPmt(['doctor', '--json'], { cwd: project, env });
    const doctor = JSON.parse(run.stdout) as DoctorJson;
    const message = (check: string) => doctor.findings.find((f) => f.check === check)?.message;
    expect(message('registry')).toBe(`${join(project, 'plugins.yaml')} (working directory): 1 plugin(s) (probe); default: none`);
    expect(message('config')).toBe(`${join(user, 'core_engine_config.json')} (user config dir): valid`);
    // The engine here sees pmt's files: scans bind-mount the input.
    expect(message('files')).toBe(`the engine sees pmt's files: scans bind-mount the input (checked with ${project})`);

    const validated = await runPmt(['validate'], { cwd: project, env });
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toContain(`config ${join(user, 'core_engine_config.json')} (user config dir): OK`);
    expect(validated.stdout).toContain(`  PathDirResults: ${JSON.stringify(join(user, 'results'))}`);

    // The config in the working directory shadows the user's; with none anywhere, defaults.
    await writeConfig(project, {});
    const shadowed = JSON.parse((await runPmt(['doctor', '--json'], { cwd: project, env })).stdout) as DoctorJson;
    expect(shadowed.findings.find((f) => f.check === 'config')?.message).toBe(`${join(project, 'core_engine_config.json')} (working directory): valid`);
  });
});
