import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export interface OutputPlacement {
  /** pmt's own output dirs inside the input, relative to it (`/`-separated): hidden from plugins and the digest. */
  readonly inside: readonly string[];
  /** Output dirs that are the input itself or hold it: nothing can be hidden; the caller warns. */
  readonly covering: readonly string[];
}

/**
 * Where the results and logs dirs of a run lie relative to the input. `pmt scan -i . -o pmt-results`
 * is the obvious CI layout: without this, each scan would see (and hash) the previous scan's results
 * and logs, and never hit the cache.
 */
export async function placeOutputs(inputDir: string, dirs: readonly (string | undefined)[]): Promise<OutputPlacement> {
  // A dir that does not exist yet (a dry run) is placed by its name.
  const real = (path: string): Promise<string> => realpath(path).catch(() => resolve(path));
  const input = await real(inputDir);
  const inside = new Set<string>();
  const covering: string[] = [];
  for (const dir of dirs) {
    if (dir === undefined) continue;
    const rel = relative(input, await real(dir));
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      if (!relative(await real(dir), input).startsWith('..')) covering.push(dir);
      continue;
    }
    inside.add(rel.split(sep).join('/'));
  }
  return { inside: [...inside].sort(), covering };
}
