import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/duration.js';

/** Parses a duration flag (`90s`, `10m`) as the config's durations are written; ms. */
export function durationOption(value: string): number {
  const parsed = parseDuration(value);
  if ('error' in parsed) throw new InvalidArgumentError(parsed.error);
  return parsed.ms;
}
