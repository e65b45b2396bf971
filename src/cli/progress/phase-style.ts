import type { PluginPhase } from '../../engine/progress-event.js';
import type { Color } from './ansi.js';

/** The mark before a plugin's line and the colour of its status, for live lines and the summary. */
export interface PhaseStyle {
  /** One column; blank while the plugin is still working. */
  readonly icon: string;
  readonly color: Color | undefined;
}

const STYLES: Readonly<Record<PluginPhase, PhaseStyle>> = {
  queued: { icon: ' ', color: 'dim' },
  pulling: { icon: ' ', color: 'blue' },
  starting: { icon: ' ', color: 'cyan' },
  running: { icon: ' ', color: 'cyan' },
  collecting: { icon: ' ', color: 'cyan' },
  succeeded: { icon: '✓', color: 'green' },
  failed: { icon: '✗', color: 'red' },
  'timed out': { icon: '⏱', color: 'yellow' },
  cached: { icon: '↺', color: 'green' },
  interrupted: { icon: '⊘', color: 'yellow' },
};

/** Style of a phase or of a plugin outcome's status; unknown statuses stay plain. */
export function phaseStyle(phase: string): PhaseStyle {
  return Object.hasOwn(STYLES, phase) ? STYLES[phase as PluginPhase] : { icon: ' ', color: undefined };
}
