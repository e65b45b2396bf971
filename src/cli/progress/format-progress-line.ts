import { fitSegments } from './fit-segments.js';
import { formatDuration } from './format-duration.js';
import { phaseStyle } from './phase-style.js';
import { progressDetail, workedMs, type PluginProgress } from './plugin-progress.js';
import { escapeControls } from '../../log/escape-controls.js';

export interface LineLayout {
  /** Width of the name column; names are padded to it so statuses line up. */
  readonly nameWidth: number;
  /** Terminal columns available; longer lines are cut. */
  readonly width: number;
  readonly color: boolean;
}

/** Fits `pulling 100%` and `interrupted`. */
const STATUS_WIDTH = 12;
/** Fits what formatDuration returns. */
const TIME_WIDTH = 6;

/** `✓ licensee        succeeded     1.4s` — one plugin's live line at run time `nowMs`. */
export function formatProgressLine(progress: PluginProgress, nowMs: number, layout: LineLayout): string {
  const style = phaseStyle(progress.phase);
  // A cache hit did no work worth timing; a queued plugin has not started.
  const worked = progress.phase === 'cached' ? undefined : workedMs(progress, nowMs);
  const shown = progressDetail(progress);
  const detail = shown === undefined ? undefined : escapeControls(shown);
  return fitSegments(
    [
      { text: `${style.icon} `, color: style.color },
      { text: `${progress.plugin.padEnd(layout.nameWidth)}  ` },
      { text: statusText(progress).padEnd(STATUS_WIDTH), color: style.color },
      { text: worked === undefined ? '' : formatDuration(worked).padStart(TIME_WIDTH) },
      { text: detail ? `  ${detail}` : '' },
    ],
    layout.width,
    layout.color,
  );
}

function statusText(progress: PluginProgress): string {
  if (progress.phase === 'pulling' && progress.percent !== undefined) {
    return `pulling ${Math.min(100, Math.max(0, Math.round(progress.percent)))}%`;
  }
  return progress.phase;
}
