import { describe, expect, it } from 'vitest';
import { mountPointsBelow } from '../../../src/agent/input-hazards.js';
import { SHIELD_LIMIT, shieldBinds } from '../../../src/agent/input-shield.js';
import { PmtError } from '../../../src/errors.js';

const MOUNTINFO = [
  '22 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '80 22 0:50 / /work/repo/sub rw - tmpfs tmpfs rw',
  '81 80 0:51 / /work/repo/sub/deeper rw - tmpfs tmpfs rw',
  '82 22 0:52 / /work/repo/with\\040space rw - tmpfs tmpfs rw',
  '83 22 0:53 / /work/repository rw - tmpfs tmpfs rw',
  '84 22 0:54 / /work/repo rw - tmpfs tmpfs rw',
  '85 80 0:55 / /work/repo/sub rw - tmpfs tmpfs rw',
].join('\n');

describe('the input shield', () => {
  it('finds mount points strictly below the input, unescaped, once each; not the input itself nor a sibling with the same prefix', () => {
    expect(mountPointsBelow(MOUNTINFO, '/work/repo')).toEqual(['sub', 'sub/deeper', 'with space']);
  });

  it('hides output dirs with an empty dir, mounts each sub-mount again read-only, covers special files with an empty file', () => {
    const binds = shieldBinds('/work/repo', { subMounts: ['pmt-results', 'sub'], specialFiles: ['run/app.sock'] }, ['pmt-results'], { emptyFile: '/t/f', emptyDir: '/t/d' });
    expect(binds).toEqual([
      { hostPath: '/t/d', containerPath: '/input/pmt-results', readOnly: true },
      { hostPath: '/work/repo/sub', containerPath: '/input/sub', readOnly: true },
      { hostPath: '/t/f', containerPath: '/input/run/app.sock', readOnly: true },
    ]);
  });

  it(`refuses an input that would need more than ${SHIELD_LIMIT} mounts, naming some`, () => {
    const specialFiles = Array.from({ length: SHIELD_LIMIT + 1 }, (_, i) => `s${i}.sock`);
    const refuse = () => shieldBinds('/r', { subMounts: [], specialFiles }, [], { emptyFile: '/f', emptyDir: '/d' });
    expect(refuse).toThrow(PmtError);
    expect(refuse).toThrow(/the input holds 257 sockets, FIFOs or device nodes and 0 mount points \(s0\.sock, s1\.sock, s2\.sock, …\)/);
  });
});
