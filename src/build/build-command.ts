import type { Plugin } from '../registry/plugin.js';

/**
 * The command that builds a plugin's image: `pmt build -p NAME`, with `-r FILE` when the registry
 * was named on the command line (otherwise the same lookup finds the same registry again).
 */
export function buildCommand(plugin: Pick<Plugin, 'name'>, registryFlag?: string): string {
  return `pmt build -p ${shellWord(plugin.name)}${registryFlag === undefined ? '' : ` -r ${shellWord(registryFlag)}`}`;
}

/** A word a POSIX shell reads back unchanged. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._\/:=@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
