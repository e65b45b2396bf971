import type { ProgressEvent, ProgressListener } from '../../engine/progress-event.js';
import { paint } from './ansi.js';
import { formatDuration } from './format-duration.js';
import { phaseStyle } from './phase-style.js';
import { advanceProgress, workedMs, type PluginProgress } from './plugin-progress.js';
import { escapeControls } from '../../log/escape-controls.js';

/**
 * `[Progress] licensee: succeeded in 1.4s` — the line for a plugin that just reached `progress`'s
 * phase; undefined when there is nothing new to say (still queued, or only the pull percentage moved).
 */
export function formatPlainLine(previous: PluginProgress | undefined, progress: PluginProgress, color: boolean): string | undefined {
  // A swarm task's node, once known, is news too (`starting` → `starting on n2`).
  if (progress.phase === 'queued' || (progress.phase === previous?.phase && progress.node === previous?.node)) return undefined;
  const status = paint(progress.phase, phaseStyle(progress.phase).color, color);
  const detail = progress.detail === undefined ? undefined : escapeControls(progress.detail.split('\n')[0]?.trim() ?? '');
  let line = `[Progress] ${progress.plugin}: ${status}${progress.node === undefined ? '' : ` on ${escapeControls(progress.node)}`}`;
  // Only a finished plugin has a duration worth a line; a cache hit did no work.
  if (progress.endedMs !== undefined && progress.phase !== 'cached') {
    const worked = workedMs(progress, progress.endedMs) ?? 0;
    line += `${progress.phase === 'succeeded' ? ' in' : ' after'} ${formatDuration(worked)}`;
  }
  return detail ? `${line}: ${detail}` : line;
}

/**
 * A listener printing one plain line per phase change, for streams that are not terminals
 * (CI logs, files): no cursor moves, every line complete, readable next to text log lines.
 */
export function plainProgress(stream: NodeJS.WritableStream, color: boolean): ProgressListener {
  const plugins = new Map<string, PluginProgress>();
  return (event: ProgressEvent) => {
    const previous = plugins.get(event.plugin);
    const next = advanceProgress(previous, event);
    plugins.set(event.plugin, next);
    const line = formatPlainLine(previous, next, color);
    if (line !== undefined) stream.write(`${line}\n`);
  };
}
