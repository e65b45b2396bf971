import { PmtError } from '../errors.js';
import type { OutcomeError, PluginStatus } from './plugin-outcome.js';

/** The one-line error of a plugin run that did not succeed: what, where from, what to do. */
export function describeFailure(error: unknown, status: PluginStatus, timeout: string): OutcomeError {
  if (status === 'interrupted') return { origin: 'user', message: 'interrupted by a signal', hint: undefined };
  if (status === 'timed out') {
    return {
      origin: 'plugin',
      message: `timed out after ${timeout}; the container was removed`,
      hint: 'raise the plugin\'s `timeout` in the registry, DefaultTimeout in the config, or pass --timeout; the log shows how far it got',
    };
  }
  if (error instanceof PmtError) return { origin: error.origin, message: error.message, hint: error.hint };
  return {
    origin: 'pmt',
    message: error instanceof Error ? error.message : String(error),
    hint: 'this is a bug in pmt; please report it with --debug output',
  };
}
