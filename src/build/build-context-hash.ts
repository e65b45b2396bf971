import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile } from '../cache/hash-file.js';

/**
 * The image label that records which state of its build directory an image was built from. Every
 * way pmt builds a plugin image sets it (scripts/build-plugins.sh, and whatever else builds them);
 * `pmt -l`, `pmt doctor` and `pmt scan` compare it with the directory as it is now.
 */
export const BUILD_CONTEXT_LABEL = 'pmt.build-context';

/**
 * A short hash of every regular file below `dir` (names and contents; symbolic links and empty
 * directories are not followed or counted), leaving out `node_modules` directories: they are
 * installed from a lock file that is itself hashed (see scripts/build-plugins.sh). It is byte for
 * byte what `find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16`
 * prints in the directory (with node_modules pruned), so images labelled before this module existed
 * keep matching.
 */
export async function buildContextHash(dir: string): Promise<string> {
  const files = (await regularFiles(dir, '.')).sort(compareBytes);
  const listing = createHash('sha256');
  for (const file of files) {
    // A file swapped for a link or FIFO since the listing is not followed or waited on: it is no file.
    const hashed = await hashFile(join(dir, file));
    if (hashed) listing.update(sha256sumLine(hashed.sha256, file));
  }
  return listing.digest('hex').slice(0, 16);
}

/** Paths as `find .` prints them (`./a/b`), regular files only, without following links. */
async function regularFiles(root: string, relative: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
    const path = `${relative}/${entry.name}`;
    if (entry.isDirectory() && entry.name === 'node_modules') continue;
    if (entry.isDirectory()) found.push(...(await regularFiles(root, path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/** One line of GNU sha256sum's output; a name with `\` or a newline is escaped and the line marked. */
function sha256sumLine(hex: string, name: string): Buffer {
  const escaped = name.includes('\\') || name.includes('\n');
  const shown = escaped ? name.replaceAll('\\', '\\\\').replaceAll('\n', '\\n') : name;
  return Buffer.from(`${escaped ? '\\' : ''}${hex}  ${shown}\n`);
}

/** `LC_ALL=C sort`: by bytes, not by UTF-16 code units. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
