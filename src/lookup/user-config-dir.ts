import { xdgPmtDir } from '../fs/xdg-dir.js';

/** The user's pmt config directory: `$XDG_CONFIG_HOME/pmt`, else `~/.config/pmt`. */
export function userConfigDir(env: NodeJS.ProcessEnv, home?: string): string {
  return xdgPmtDir('XDG_CONFIG_HOME', env, home);
}
