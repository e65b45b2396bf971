import { randomBytes } from 'node:crypto';

/**
 * The steps of a swarm task, in the order its script runs them: `check` (the compatibility check,
 * as locally), `input` (user look-up, /input filled from pmt, /result opened for a non-root user;
 * as root), `cmd` (the plugin's command), `upload` (pmt's upload loop). The first failing step ends
 * the task with its exit code.
 */
export const TASK_STEPS = ['check', 'input', 'cmd', 'upload'] as const;
export type TaskStep = (typeof TASK_STEPS)[number];

/** A marker line: `\x1epmt-step\x1f<nonce>\x1fbegin\x1f<step>` or `…\x1fend\x1f<step>\x1f<exit code>`. */
export const MARKER_PREFIX = '\x1epmt-step\x1f';

/** Longer than any marker line: a line longer than this is output, whatever it starts with. */
export const MAX_MARKER_LENGTH = MARKER_PREFIX.length + 32 + '\x1fbegin\x1f'.length + 16 + 4;

/** 16 random bytes as hex, one per task: a marker line without it is output, not a marker. */
export function newStepNonce(): string {
  return randomBytes(16).toString('hex');
}

export type StepMarker =
  | { readonly kind: 'begin'; readonly step: TaskStep }
  | { readonly kind: 'end'; readonly step: TaskStep; readonly exitCode: number };

/** A marker line as the task script prints it (without the line breaks around it). */
export function stepMarker(nonce: string, marker: StepMarker): string {
  const tail = marker.kind === 'end' ? `\x1f${marker.exitCode}` : '';
  return `${MARKER_PREFIX}${nonce}\x1f${marker.kind}\x1f${marker.step}${tail}`;
}

const STEP_NAMES: ReadonlySet<string> = new Set(TASK_STEPS);

/** The marker a line is, or undefined when it is output (a wrong nonce, an unknown step, a bad code). */
export function parseMarker(line: string, nonce: string): StepMarker | undefined {
  if (!line.startsWith(MARKER_PREFIX)) return undefined;
  const [given, kind, step, code, ...extra] = line.slice(MARKER_PREFIX.length).split('\x1f');
  if (given !== nonce || step === undefined || !STEP_NAMES.has(step) || extra.length > 0) return undefined;
  if (kind === 'begin' && code === undefined) return { kind, step: step as TaskStep };
  if (kind === 'end' && code !== undefined && /^(0|[1-9][0-9]{0,2})$/.test(code)) return { kind, step: step as TaskStep, exitCode: Number(code) };
  return undefined;
}
