import { constants } from 'node:os';

const BY_NUMBER = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/** `SIGTERM` for 15, as this machine's kernel numbers signals; undefined for a number it has no name for. */
export function signalName(number: number): string | undefined {
  return BY_NUMBER.get(number);
}
