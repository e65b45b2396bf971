import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { Finding } from './finding.js';

/**
 * 2 when the registry or config is invalid, else 3 when the engine is unreachable, else 1 when any
 * check failed, else 0 — warnings alone never fail doctor. The earliest broken layer wins because
 * fixing it is the user's first step.
 */
export function doctorExitCode(findings: readonly Finding[]): ExitCodeValue {
  const failed = findings.filter((f) => f.status === 'fail');
  if (failed.some((f) => f.check === 'registry' || f.check === 'config')) return ExitCode.usage;
  if (failed.some((f) => f.check === 'engine')) return ExitCode.engineUnreachable;
  return failed.length > 0 ? ExitCode.pluginFailed : ExitCode.ok;
}
