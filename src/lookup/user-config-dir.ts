import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The user's pmt config directory: `$XDG_CONFIG_HOME/pmt`, else `~/.config/pmt`. A relative
 * XDG_CONFIG_HOME is ignored, as the XDG base directory spec asks.
 */
export function userConfigDir(env: NodeJS.ProcessEnv, home: string = env.HOME || homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'pmt') : join(home, '.config', 'pmt');
}
