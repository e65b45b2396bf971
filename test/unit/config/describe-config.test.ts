import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/config/config-defaults.js';
import { describeConfig } from '../../../src/config/describe-config.js';

describe('describeConfig', () => {
  it('shows every value by its file key, unset ones marked', () => {
    expect(describeConfig(DEFAULT_CONFIG)).toEqual({
      Source: 'built-in defaults',
      RestApi: true,
      RestTransport: 'unix',
      RestFallback: true,
      RemoteRepoUser: '(unset)',
      RemoteRepoPass: '(unset)',
      SaveResultsLocally: true,
      PathDirResults: '(temp dir per run)',
      PathDirLogs: '(temp dir per run)',
      ServerUrl: '(unset)',
      MaxResultFileBytes: 268435456,
      MaxRunResultBytes: 1073741824,
      FilestoreMemoryBytes: 67108864,
      DefaultTimeout: '30m',
      DefaultMemory: 2147483648,
      DefaultCpus: '(no limit)',
      DefaultPids: 1024,
      CacheDir: '(default: $XDG_CACHE_HOME/pmt or ~/.cache/pmt)',
      ProvenanceKey: '(unset)',
      Engine: 'local',
      RestAdvertiseAddr: "(swarm: this machine's address toward the manager)",
      SwarmPlacementTimeout: '1m',
    });
  });

  it('masks the password and never contains it', () => {
    const config = { ...DEFAULT_CONFIG, remoteRepoUser: 'robot', remoteRepoPass: 'hunter2', serverUrl: 'http://pmt:8081', pathDirLogs: '/var/log/pmt' };
    const described = describeConfig(config);
    expect(described).toMatchObject({ RemoteRepoUser: 'robot', RemoteRepoPass: '****', ServerUrl: 'http://pmt:8081', PathDirLogs: '/var/log/pmt' });
    expect(JSON.stringify(described)).not.toContain('hunter2');
  });

  it('shows a provenance key by its path, and a key given as PEM text never', () => {
    expect(describeConfig({ ...DEFAULT_CONFIG, provenanceKey: '/keys/pmt.key' })).toMatchObject({ ProvenanceKey: '/keys/pmt.key' });
    const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIsecretsecret\n-----END PRIVATE KEY-----\n';
    const described = describeConfig({ ...DEFAULT_CONFIG, provenanceKey: pem });
    expect(described).toMatchObject({ ProvenanceKey: '(PEM key from PMT_PROVENANCE_KEY)' });
    expect(JSON.stringify(described)).not.toContain('secretsecret');
  });
});
