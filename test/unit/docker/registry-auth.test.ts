import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registryOf, resolveRegistryAuth } from '../../../src/docker/registry-auth.js';
import { tempDir } from '../../support/fixtures.js';

const DEFAULT_REGISTRY = 'https://default-registry.invalid/v1/';

describe('registryOf', () => {
  it.each([
    ['pmt/licensee:1', DEFAULT_REGISTRY],
    ['licensee', DEFAULT_REGISTRY],
    ['registry.example.invalid/team/scanner:2', 'registry.example.invalid'],
    ['localhost:5000/scanner', 'localhost:5000'],
    ['localhost/scanner', 'localhost'],
  ])('%s → %s', (reference, expected) => {
    expect(registryOf(reference, DEFAULT_REGISTRY)).toBe(expected);
  });
});

describe('resolveRegistryAuth', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ DOCKER_CONFIG: dir.path, PATH: `${dir.path}:/usr/bin:/bin`, ...extra });

  it('prefers explicit credentials from config or environment', async () => {
    const resolved = await resolveRegistryAuth('registry.example.invalid/a:1', {
      username: 'u',
      password: 'p',
      defaultRegistry: DEFAULT_REGISTRY,
      env: env(),
    });
    expect(resolved).toEqual({ auth: { username: 'u', password: 'p', serveraddress: 'registry.example.invalid' }, source: 'RemoteRepoUser/RemoteRepoPass' });
  });

  it('reads auths of ~/.docker/config.json, matching https://host/v1/ keys to the host', async () => {
    const auth = Buffer.from('alice:s3cret').toString('base64');
    await writeFile(join(dir.path, 'config.json'), JSON.stringify({ auths: { 'https://registry.example.invalid/v1/': { auth } } }));
    const resolved = await resolveRegistryAuth('registry.example.invalid/a:1', { username: undefined, password: undefined, defaultRegistry: DEFAULT_REGISTRY, env: env() });
    expect(resolved.auth).toEqual({ username: 'alice', password: 's3cret', serveraddress: 'registry.example.invalid' });
    expect(resolved.source).toContain('config.json (auths)');
  });

  it('asks a credential helper named in credHelpers, giving it the registry on stdin', async () => {
    // A stand-in helper: nothing real can play a credential store here.
    const helper = join(dir.path, 'docker-credential-teststore');
    await writeFile(helper, '#!/bin/sh\nread host\nprintf \'{"Username":"bot","Secret":"tok-%s"}\' "$host"\n');
    await chmod(helper, 0o755);
    await writeFile(join(dir.path, 'config.json'), JSON.stringify({ credHelpers: { 'registry.example.invalid': 'teststore' } }));
    const resolved = await resolveRegistryAuth('registry.example.invalid/a:1', { username: undefined, password: undefined, defaultRegistry: DEFAULT_REGISTRY, env: env() });
    expect(resolved.auth).toEqual({ username: 'bot', password: 'tok-registry.example.invalid', serveraddress: 'registry.example.invalid' });
    expect(resolved.source).toBe('credential helper docker-credential-teststore');
  });

  it('falls back to anonymous when there is no config, no entry, or the helper fails', async () => {
    const none = await resolveRegistryAuth('pmt/a:1', { username: undefined, password: undefined, defaultRegistry: DEFAULT_REGISTRY, env: env() });
    expect(none).toEqual({ auth: undefined, source: 'anonymous' });
    await writeFile(join(dir.path, 'config.json'), JSON.stringify({ credsStore: 'missing-helper' }));
    const failing = await resolveRegistryAuth('pmt/a:1', { username: undefined, password: undefined, defaultRegistry: DEFAULT_REGISTRY, env: env() });
    expect(failing).toEqual({ auth: undefined, source: 'anonymous' });
  });
});
