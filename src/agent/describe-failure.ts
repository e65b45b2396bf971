import { PmtError } from '../errors.js';
import type { TimeoutSource } from './container-limits.js';
import type { OutcomeError, PluginStatus } from './plugin-outcome.js';

/** What to raise, by where the limit came from (`--timeout` overrides the other two). */
const RAISE: Record<TimeoutSource, string> = {
  flag: 'pass a longer --timeout (it overrides the registry entry\'s `timeout` and DefaultTimeout)',
  entry: 'raise the plugin\'s `timeout` in the registry (or override it with --timeout)',
  config: 'raise DefaultTimeout in the config, give the plugin a `timeout` in the registry, or pass --timeout',
};

/** The one-line error of a plugin run that did not succeed: what, where from, what to do. */
export function describeFailure(error: unknown, status: PluginStatus, timeout: { duration: string; source: TimeoutSource }): OutcomeError {
  if (status === 'interrupted') return { origin: 'user', message: 'interrupted by a signal', hint: undefined };
  if (status === 'timed out') {
    return { origin: 'plugin', message: `timed out after ${timeout.duration}; the container was removed`, hint: `${RAISE[timeout.source]}; the log shows how far it got` };
  }
  if (error instanceof PmtError) return { origin: error.origin, message: error.message, hint: error.hint };
  return {
    origin: 'pmt',
    message: error instanceof Error ? error.message : String(error),
    hint: 'this is a bug in pmt; please report it with --debug output',
  };
}
