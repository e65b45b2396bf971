import { expect } from 'vitest';
import { ConfigError, formatProblem } from '../../../src/errors.js';

/** Runs `action`, expects a ConfigError and returns its problems as `file:line:col: message` lines. */
export function problemsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map(formatProblem);
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/** The async twin of problemsOf. */
export async function problemsOfAsync(action: () => Promise<unknown>): Promise<string[]> {
  const error: unknown = await action().then(
    () => new Error('expected a ConfigError, nothing was thrown'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems.map(formatProblem);
}
