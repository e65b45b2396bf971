import { InvalidArgumentError } from 'commander';

/** Parses `-p`/`-s`: `NAME`, `NAME,NAME` or `all`, repeatable; collects every name given. */
export function collectNames(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('expected one or more plugin names');
  return [...previous, ...names];
}
