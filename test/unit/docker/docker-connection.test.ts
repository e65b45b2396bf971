import { describe, expect, it } from 'vitest';
import { dockerConnectionOptions, type ConnectRequest } from '../../../src/docker/docker-connection.js';
import { ConfigError } from '../../../src/errors.js';

const HOME = '/home/pmt';
const connect = (dockerHost: string | undefined, env: NodeJS.ProcessEnv = {}, local?: boolean) =>
  dockerConnectionOptions({ dockerHost, env: { HOME, ...env }, local } as ConnectRequest);

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.file}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('dockerConnectionOptions', () => {
  it('uses the default sockets when neither --docker-host nor DOCKER_HOST is given, and counts them as local', () => {
    const c = connect(undefined);
    expect(c).toMatchObject({ kind: 'unix', local: true, tlsFiles: undefined });
    expect(c.modem).toMatchObject({ socketPath: undefined, host: undefined, protocol: 'http' });
    expect(c.defaultSockets).toEqual([`${HOME}/.docker/run/docker.sock`, '/var/run/docker.sock']);
  });

  it('sets every key docker-modem would otherwise read from process.env', () => {
    for (const host of [undefined, 'unix:///run/d.sock', 'tcp://127.0.0.1:2375', 'ssh://me@build.invalid']) {
      const keys = Object.keys(connect(host).modem).sort();
      expect(keys).toEqual(['host', 'pathPrefix', 'port', 'protocol', 'socketPath', 'sshOptions', 'timeout', 'username']);
    }
  });

  it('reads a unix socket path', () => {
    const c = connect('unix:///run/user/1000/docker.sock');
    expect(c).toMatchObject({ kind: 'unix', endpoint: 'unix:///run/user/1000/docker.sock', local: true });
    expect(c.modem.socketPath).toBe('/run/user/1000/docker.sock');
    expect(connect('unix://').modem.socketPath).toBeUndefined();
  });

  it('reads tcp as a remote engine over plain http, with docker default ports', () => {
    const c = connect('tcp://127.0.0.1:23750');
    expect(c).toMatchObject({ kind: 'tcp', endpoint: 'tcp://127.0.0.1:23750', local: false, tlsFiles: undefined });
    expect(c.modem).toMatchObject({ host: '127.0.0.1', port: 23750, protocol: 'http', socketPath: undefined });
    expect(connect('tcp://engine.invalid').modem.port).toBe(2375);
    expect(connect('127.0.0.1:2375').modem).toMatchObject({ host: '127.0.0.1', port: 2375, protocol: 'http' });
    expect(connect('tcp://[::1]:2375').modem.host).toBe('[::1]');
  });

  it('switches to TLS on DOCKER_TLS_VERIFY or port 2376, with certificates from DOCKER_CERT_PATH or ~/.docker', () => {
    const verify = connect('tcp://engine.invalid', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' });
    expect(verify).toMatchObject({ endpoint: 'tcp://engine.invalid:2376 (TLS)', tlsFiles: { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' } });
    expect(verify.modem).toMatchObject({ protocol: 'https', port: 2376 });
    expect(connect('tcp://engine.invalid:2376').modem.protocol).toBe('https');
    expect(connect('tcp://engine.invalid:2376').tlsFiles).toBeUndefined();
    expect(connect('tcp://engine.invalid:9999', { DOCKER_TLS_VERIFY: 'true' }).tlsFiles?.ca).toBe(`${HOME}/.docker/ca.pem`);
    // Without TLS a certificate path alone changes nothing, as with the docker CLI.
    expect(connect('tcp://engine.invalid:2375', { DOCKER_CERT_PATH: '/certs', DOCKER_TLS_VERIFY: '0' })).toMatchObject({ modem: { protocol: 'http' }, tlsFiles: undefined });
  });

  it('reads ssh as a destination for the system ssh; user and port are left to the ssh config when absent', () => {
    const c = connect('ssh://builder@build.invalid:2222');
    expect(c).toMatchObject({ kind: 'ssh', endpoint: 'ssh://builder@build.invalid:2222', local: false, ssh: { hostname: 'build.invalid', port: 2222, username: 'builder' } });
    // docker-modem's own ssh client is never asked for: requests go over http through pmt's ssh agent.
    expect(c.modem).toMatchObject({ protocol: 'http', host: 'docker', username: undefined, sshOptions: undefined });
    const alias = connect('ssh://build-box', { USER: 'me' });
    expect(alias).toMatchObject({ endpoint: 'ssh://build-box', ssh: { hostname: 'build-box', port: undefined, username: undefined } });
    expect(connect('ssh://[::1]:22').ssh).toEqual({ hostname: '[::1]', port: 22, username: undefined });
  });

  it('lets --docker-host win over DOCKER_HOST, and ignores an empty DOCKER_HOST', () => {
    expect(connect('unix:///var/run/docker.sock', { DOCKER_HOST: 'tcp://127.0.0.1:2375' }).kind).toBe('unix');
    expect(connect('tcp://127.0.0.1:2375', { DOCKER_HOST: 'not a host at all' }).kind).toBe('tcp');
    expect(connect(undefined, { DOCKER_HOST: 'tcp://127.0.0.1:2375' }).kind).toBe('tcp');
    expect(connect(undefined, { DOCKER_HOST: '' }).kind).toBe('unix');
  });

  it('decides locality: --engine-local > PMT_ENGINE_LOCAL > unix socket', () => {
    expect(connect('tcp://127.0.0.1:2375', { PMT_ENGINE_LOCAL: '1' }).local).toBe(true);
    expect(connect(undefined, { PMT_ENGINE_LOCAL: '0' }).local).toBe(false);
    expect(connect('tcp://127.0.0.1:2375', {}, true).local).toBe(true);
    expect(connect(undefined, { PMT_ENGINE_LOCAL: '1' }, false).local).toBe(false);
    expect(connect('ssh://u@h.invalid', { PMT_ENGINE_LOCAL: 'TRUE' }).local).toBe(true);
  });

  it.each([
    ['http://127.0.0.1:2375', 'the scheme http:// is not supported'],
    ['npipe:////./pipe/docker_engine', 'Windows named pipes are not available here'],
    ['unix://var/run/docker.sock', 'needs an absolute socket path'],
    ['tcp://', 'names no host'],
    ['tcp://127.0.0.1:2375/v1.41', 'must not have a path'],
    ['tcp://127.0.0.1:99999', 'is not an address'],
    ['tcp://me@127.0.0.1:2375', 'must not contain a user name'],
    ['ssh://me:secret@build.invalid', 'must not contain a password'],
    ['  ', 'is empty'],
  ])('rejects --docker-host %j: %s', (host, message) => {
    const problems = problemsOf(() => connect(host));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('--docker-host: ');
    expect(problems[0]).toContain(message);
  });

  it('names DOCKER_HOST when the bad value came from there, and lists every problem at once', () => {
    const problems = problemsOf(() => connect(undefined, { DOCKER_HOST: 'tcp://h:1/x', PMT_ENGINE_LOCAL: 'yes' }));
    expect(problems).toEqual([
      'DOCKER_HOST: "tcp://h:1/x" must not have a path, query or fragment after host[:port]',
      'PMT_ENGINE_LOCAL: "yes" is neither 1 nor 0',
    ]);
  });

  it('asks for what TLS needs before any connection is tried; ssh needs nothing from the environment', () => {
    // No user, no agent: the system ssh takes them from ~/.ssh/config, the key files and SSH_AUTH_SOCK itself.
    expect(dockerConnectionOptions({ dockerHost: 'ssh://build.invalid', env: {} }).ssh).toEqual({ hostname: 'build.invalid', port: undefined, username: undefined });
    expect(problemsOf(() => dockerConnectionOptions({ dockerHost: 'tcp://h.invalid', env: { DOCKER_TLS_VERIFY: '1' } }))).toEqual([
      'DOCKER_CERT_PATH: DOCKER_TLS_VERIFY is set but no certificate directory is known (set DOCKER_CERT_PATH)',
    ]);
    expect(problemsOf(() => connect('tcp://h.invalid', { DOCKER_TLS_VERIFY: 'sure' }))).toEqual(['DOCKER_TLS_VERIFY: "sure" is neither 1 nor 0']);
  });
});
