import { describe, expect, it } from 'vitest';
import { pinnedImage, repositoryOf } from '../../../src/swarm/pinned-image.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('repositoryOf', () => {
  it('spells out the implied registry and library, and keeps a registry port', () => {
    expect(repositoryOf('busybox')).toBe('docker.io/library/busybox');
    expect(repositoryOf('busybox:1.36')).toBe('docker.io/library/busybox');
    expect(repositoryOf('pmt/licensee:9')).toBe('docker.io/pmt/licensee');
    expect(repositoryOf('10.1.1.1:5005/pmt/licensee:9')).toBe('10.1.1.1:5005/pmt/licensee');
    expect(repositoryOf(`localhost:5000/x@${D1}`)).toBe('localhost:5000/x');
    expect(repositoryOf('index.docker.io/library/busybox')).toBe('docker.io/library/busybox');
  });
});

describe('pinnedImage', () => {
  it("pins a tag to the digest of the reference's own repository", () => {
    const digests = [`other.reg:5000/pmt/licensee@${D2}`, `10.1.1.1:5005/pmt/licensee@${D1}`];
    expect(pinnedImage('10.1.1.1:5005/pmt/licensee:9', digests, 'licensee')).toBe(`10.1.1.1:5005/pmt/licensee@${D1}`);
    expect(pinnedImage('busybox:1.36', [`busybox@${D1}`], 'b')).toBe(`busybox@${D1}`);
  });

  it('keeps a reference that names its digest, without its tag', () => {
    expect(pinnedImage(`10.1.1.1:5005/pmt/x:9@${D2}`, [], 'x')).toBe(`10.1.1.1:5005/pmt/x@${D2}`);
  });

  it('refuses a locally built image, saying how to publish it', () => {
    expect(() => pinnedImage('pmt/licensee:9', [], 'licensee')).toThrow(
      'image pmt/licensee:9 of plugin "licensee" has no registry digest on the swarm manager (it was built or loaded, never pulled from or pushed to a registry): swarm nodes pull images from a registry',
    );
    expect(() => pinnedImage('10.1.1.1:5005/pmt/licensee:9', [`other:5000/pmt/licensee@${D1}`], 'licensee')).toThrow(/its digests are from other repositories/);
  });
});
