import { describe, expect, it } from 'vitest';
import { parseRegistryHost, pushTarget } from '../../../src/push/push-target.js';

describe('pushTarget', () => {
  it('keeps the repository path and tag, replacing only the registry host', () => {
    expect(pushTarget('pmt/licensee:9.15.2', '10.0.0.5:5000')).toBe('10.0.0.5:5000/pmt/licensee:9.15.2');
    expect(pushTarget('ghcr.io/org/scanner:1', 'reg.example:443')).toBe('reg.example:443/org/scanner:1');
    expect(pushTarget('localhost:5000/a/b:2', 'reg.example')).toBe('reg.example/a/b:2');
    expect(pushTarget('debian:bookworm-slim', 'localhost:5001')).toBe('localhost:5001/debian:bookworm-slim');
  });

  it('gives an untagged image `latest` and drops a digest', () => {
    expect(pushTarget('pmt/x', 'h:1')).toBe('h:1/pmt/x:latest');
    expect(pushTarget('pmt/x:3@sha256:abc', 'h:1')).toBe('h:1/pmt/x:3');
    expect(pushTarget('reg:5000/pmt/x@sha256:abc', 'h:1')).toBe('h:1/pmt/x:latest');
  });
});

describe('parseRegistryHost', () => {
  it('takes what may start an image reference', () => {
    for (const host of ['10.231.77.1:5005', 'registry.example', 'registry.example:443', 'localhost', 'localhost:5000', '[::1]:5000']) {
      expect(parseRegistryHost(host)).toBe(host);
    }
  });

  it('refuses a URL, a path, a Docker Hub namespace and junk, saying how to write it', () => {
    expect(() => parseRegistryHost('https://reg.example')).toThrow(/has a scheme/);
    expect(() => parseRegistryHost('reg.example:5000/team')).toThrow(/has a path/);
    expect(() => parseRegistryHost('myteam')).toThrow(/Docker Hub namespace/);
    expect(() => parseRegistryHost('Reg Example')).toThrow(/is not a registry host/);
    try {
      parseRegistryHost('http://x:1');
    } catch (error) {
      expect((error as { hint?: string }).hint).toContain('HOST:PORT');
      expect((error as { exitCode?: number }).exitCode).toBe(2);
    }
  });
});
