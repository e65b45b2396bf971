/** What one doctor check found; the command prints these as a list or as JSON. */
export type FindingStatus = 'ok' | 'warn' | 'fail';

/** The checks, in the order doctor runs them. */
export type CheckName = 'registry' | 'config' | 'engine' | 'swarm' | 'node' | 'pull' | 'files' | 'image' | 'shell' | 'curl' | 'leftovers';

export interface Finding {
  readonly check: CheckName;
  readonly status: FindingStatus;
  /** The plugin a per-plugin check is about. */
  readonly plugin?: string;
  readonly message: string;
  /** What to do about a warning or failure. */
  readonly hint?: string;
}

/** Checks that did not run because an earlier one failed, and why. */
export interface SkippedChecks {
  readonly checks: readonly CheckName[];
  readonly reason: string;
}

export interface DoctorReport {
  readonly findings: readonly Finding[];
  readonly skipped: readonly SkippedChecks[];
}
