/**
 * Whether a stream gets ANSI colours. NO_COLOR (no-color.org) wins whatever its value, even empty,
 * as in Node's own tty colour check: whoever set it asked for none. FORCE_COLOR turns colours on
 * for pipes (CI logs that render them) unless it is "0" or "false". A dumb terminal gets none.
 */
export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY && env.TERM !== 'dumb';
}
