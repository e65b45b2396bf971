import { describe, expect, it } from 'vitest';
import { imageFinding, shortImageId } from '../../../src/doctor/image-finding.js';
import { testPlugin } from './plugin.js';

const plain = testPlugin('plain');
const buildable = testPlugin('buildable', { build: '/repo/plugins/buildable' });
const refused = { present: false, registry: { available: false, reason: 'connection refused' } } as const;

describe('imageFinding', () => {
  it('is ok for a present image, with the short id docker images shows', () => {
    expect(imageFinding(plain, { present: true, id: 'sha256:90ab60410859aaaabbbbcccc', freshness: { state: 'unknown', hash: undefined } })).toEqual({
      check: 'image',
      plugin: 'plain',
      status: 'ok',
      message: 'pmt-test/plain:1 present (90ab60410859)',
    });
  });

  it('warns for an absent image its registry has, pointing at pmt pull', () => {
    const finding = imageFinding(plain, { present: false, registry: { available: true, digest: 'sha256:1' } });
    expect(finding.status).toBe('warn');
    expect(finding.message).toContain('will be pulled on first use');
    expect(finding.hint).toBe('prefetch it with `pmt pull -p plain`');
  });

  it('warns for an absent, unpullable image that can be built, with the exact build command', () => {
    const finding = imageFinding(buildable, refused);
    expect(finding.status).toBe('warn');
    expect(finding.message).toBe('pmt-test/buildable:1 not present and not pullable: connection refused; buildable from /repo/plugins/buildable');
    expect(finding.hint).toContain('build it with `pmt build -p buildable`');
  });

  it('fails for an absent image that can be neither pulled nor built', () => {
    const finding = imageFinding(plain, refused);
    expect(finding.status).toBe('fail');
    expect(finding.message).toBe('pmt-test/plain:1 not present and not pullable: connection refused');
    expect(finding.hint).toContain('log in to its registry');
  });

  it('shortens ids with or without the algorithm prefix', () => {
    expect(shortImageId('sha256:0123456789abcdef')).toBe('0123456789ab');
    expect(shortImageId('0123456789abcdef')).toBe('0123456789ab');
  });
});
