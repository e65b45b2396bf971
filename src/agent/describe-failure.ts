import { PmtError } from '../errors.js';
import { escapeControls } from '../log/escape-controls.js';
import type { TimeoutSource } from './container-limits.js';
import type { OutcomeError, PluginStatus } from './plugin-outcome.js';

/** What to raise, by where the limit came from (`--timeout` overrides the other two). */
const RAISE: Record<TimeoutSource, string> = {
  flag: 'pass a longer --timeout (it overrides the registry entry\'s `timeout` and DefaultTimeout)',
  entry: 'raise the plugin\'s `timeout` in the registry (or override it with --timeout)',
  config: 'raise DefaultTimeout in the config, give the plugin a `timeout` in the registry, or pass --timeout',
};

/** `what` was removed when the time was up: the container (default), or a swarm task's service. */
type Timeout = { duration: string; source: TimeoutSource; what?: string };

/**
 * The one-line error of a plugin run that did not succeed: what, where from, what to do. Messages
 * quote the plugin's stderr, its last words and the engine's answers, so control characters are
 * escaped here, once, for the summary, `--json`, progress lines, logs and the plugin's log alike.
 */
export function describeFailure(error: unknown, status: PluginStatus, timeout: Timeout): OutcomeError {
  const described = describe(error, status, timeout);
  return { ...described, message: escapeControls(described.message), hint: described.hint === undefined ? undefined : escapeControls(described.hint) };
}

function describe(error: unknown, status: PluginStatus, timeout: Timeout): OutcomeError {
  if (status === 'interrupted') return { origin: 'user', message: 'interrupted by a signal', hint: undefined };
  if (status === 'timed out') {
    return { origin: 'plugin', message: `timed out after ${timeout.duration}; the ${timeout.what ?? 'container'} was removed`, hint: `${RAISE[timeout.source]}; the log shows how far it got` };
  }
  if (error instanceof PmtError) return { origin: error.origin, message: error.message, hint: error.hint };
  return {
    origin: 'pmt',
    message: error instanceof Error ? error.message : String(error),
    hint: 'this is a bug in pmt; please report it with --debug output',
  };
}
