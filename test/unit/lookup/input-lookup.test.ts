import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { BUNDLED_REGISTRY, lookUpConfig, lookUpRegistry } from '../../../src/lookup/input-lookup.js';
import { userConfigDir } from '../../../src/lookup/user-config-dir.js';
import { PACKAGE_ROOT } from '../../../src/package-root.js';
import { REPO_ROOT, tempDir } from '../../support/fixtures.js';

describe('registry and config lookup order', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let cwd: string;
  let xdg: string;
  let bundled: string;
  const file = async (path: string): Promise<string> => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, 'x');
    return path;
  };
  beforeEach(async () => {
    dir = await tempDir();
    cwd = join(dir.path, 'project');
    xdg = join(dir.path, 'xdg');
    bundled = join(dir.path, 'install', 'plugins.yaml');
    await mkdir(cwd, { recursive: true });
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('registry: -r, then PMT_REGISTRY, then ./plugins.yaml, then the user config dir, then the bundled one — each shadows the next', async () => {
    const env = { XDG_CONFIG_HOME: xdg, PMT_REGISTRY: 'from-env.yaml' };
    const inCwd = await file(join(cwd, 'plugins.yaml'));
    const inUser = await file(join(xdg, 'pmt', 'plugins.yaml'));
    await file(bundled);
    const look = (flag: string | undefined, e: NodeJS.ProcessEnv) => lookUpRegistry({ cwd, env: e, flag, bundledRegistry: bundled });

    // Named files need not exist here: reading them reports a missing one with its path.
    expect(await look('mine.yaml', env)).toEqual({ file: join(cwd, 'mine.yaml'), origin: 'flag', why: '-r' });
    expect(await look(undefined, env)).toEqual({ file: join(cwd, 'from-env.yaml'), origin: 'env', why: 'PMT_REGISTRY' });
    const noEnv = { XDG_CONFIG_HOME: xdg };
    expect(await look(undefined, noEnv)).toEqual({ file: inCwd, origin: 'cwd', why: 'working directory' });
    await rm(inCwd);
    expect(await look(undefined, noEnv)).toEqual({ file: inUser, origin: 'user', why: 'user config dir' });
    await rm(inUser);
    expect(await look(undefined, noEnv)).toEqual({ file: bundled, origin: 'bundled', why: 'bundled with pmt' });
    await rm(bundled);
    const error = await look(undefined, noEnv).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`plugins.yaml: no registry found (looked for ${join(cwd, 'plugins.yaml')}, ${inUser}, ${bundled})`);
  });

  it('a directory named plugins.yaml is not a registry: the lookup goes on', async () => {
    await mkdir(join(cwd, 'plugins.yaml'));
    await file(bundled);
    expect((await lookUpRegistry({ cwd, env: { XDG_CONFIG_HOME: xdg }, bundledRegistry: bundled })).origin).toBe('bundled');
  });

  it('config: -c, then PMT_CONFIG, then ./core_engine_config.json, then the user config dir, then built-in defaults — never a file of the install', async () => {
    const inCwd = await file(join(cwd, 'core_engine_config.json'));
    const inUser = await file(join(xdg, 'pmt', 'core_engine_config.json'));
    const env = { XDG_CONFIG_HOME: xdg };
    expect(await lookUpConfig({ cwd, env, flag: '../c.json' })).toEqual({ file: join(dir.path, 'c.json'), origin: 'flag', why: '-c' });
    expect(await lookUpConfig({ cwd, env: { ...env, PMT_CONFIG: '/etc/pmt.json' } })).toEqual({ file: '/etc/pmt.json', origin: 'env', why: 'PMT_CONFIG' });
    expect(await lookUpConfig({ cwd, env })).toEqual({ file: inCwd, origin: 'cwd', why: 'working directory' });
    await rm(inCwd);
    expect(await lookUpConfig({ cwd, env })).toEqual({ file: inUser, origin: 'user', why: 'user config dir' });
    await rm(inUser);
    expect(await lookUpConfig({ cwd, env })).toEqual({ file: undefined, origin: 'defaults', why: 'built-in defaults' });
  });

  it('the user config dir is $XDG_CONFIG_HOME/pmt, else ~/.config/pmt (a relative XDG_CONFIG_HOME is ignored)', () => {
    expect(userConfigDir({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/u' })).toBe('/x/conf/pmt');
    expect(userConfigDir({ XDG_CONFIG_HOME: 'rel/conf', HOME: '/home/u' })).toBe('/home/u/.config/pmt');
    expect(userConfigDir({ HOME: '/home/u' })).toBe('/home/u/.config/pmt');
  });

  it('the bundled registry is the one next to pmt\'s package.json, wherever pmt is started from', () => {
    expect(PACKAGE_ROOT).toBe(REPO_ROOT);
    expect(BUNDLED_REGISTRY).toBe(join(REPO_ROOT, 'plugins.yaml'));
  });
});
