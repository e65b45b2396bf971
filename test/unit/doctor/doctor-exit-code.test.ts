import { describe, expect, it } from 'vitest';
import { doctorExitCode } from '../../../src/doctor/doctor-exit-code.js';
import type { CheckName, Finding, FindingStatus } from '../../../src/doctor/finding.js';

const f = (check: CheckName, status: FindingStatus): Finding => ({ check, status, message: '' });

describe('doctorExitCode', () => {
  it('is 0 with warnings only, 1 for a failed check', () => {
    expect(doctorExitCode([f('engine', 'ok'), f('image', 'warn'), f('leftovers', 'warn')])).toBe(0);
    expect(doctorExitCode([f('engine', 'ok'), f('curl', 'fail')])).toBe(1);
    expect(doctorExitCode([f('image', 'fail'), f('leftovers', 'fail')])).toBe(1);
  });

  it('is 2 for an invalid registry or config, before 3 for an unreachable engine', () => {
    expect(doctorExitCode([f('registry', 'fail'), f('engine', 'fail')])).toBe(2);
    expect(doctorExitCode([f('config', 'fail'), f('engine', 'ok'), f('image', 'fail')])).toBe(2);
    expect(doctorExitCode([f('registry', 'ok'), f('engine', 'fail')])).toBe(3);
  });
});
