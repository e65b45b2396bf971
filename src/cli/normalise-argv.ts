const HELP = new Set(['-h', '--help']);

/**
 * Keeps the original client's flag-style calls working on top of subcommands:
 * `pmt -l …` → `pmt list …`, `pmt -v` → `pmt version`, `pmt -s all -i DIR` → `pmt scan -s all -i DIR`.
 */
export function normaliseArgv(args: readonly string[]): string[] {
  const [first, ...rest] = args;
  if (first === '-l' || first === '--list') return ['list', ...rest];
  if (first === '-v' || first === '--version') return ['version', ...rest];
  if (first !== undefined && first.startsWith('-') && !HELP.has(first)) return ['scan', ...args];
  return [...args];
}
