import { lstat, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { LEASE_SOCKET, RUN_DIR_PREFIX } from './run-temp-dir.js';

/** A run's directory without a lease socket yet is being set up for this long at most. */
const SETUP_GRACE_MS = 60_000;

/**
 * Removes the temp directories of pmt runs that are gone (see RunTempDir): only `pmt-run-*`
 * directories (not links) of this user, directly in `parent`, whose lease socket nobody listens
 * on. Returns how many went. Never throws: a directory it cannot judge or remove stays.
 */
export async function sweepRunTempDirs(parent: string, now = Date.now()): Promise<number> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const uid = process.getuid?.();
  let removed = 0;
  for (const name of names.filter((n) => n.startsWith(RUN_DIR_PREFIX))) {
    const dir = join(parent, name);
    const info = await lstat(dir).catch(() => undefined);
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    const lease = await leaseState(join(dir, LEASE_SOCKET));
    const gone = lease === 'refused' || (lease === 'missing' && now - info.mtimeMs > SETUP_GRACE_MS);
    if (!gone) continue;
    await rm(dir, { recursive: true, force: true }).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

/** Whether a live process listens on the socket: 'held', 'refused' (its process is gone), 'missing', or 'unknown'. */
function leaseState(path: string): Promise<'held' | 'refused' | 'missing' | 'unknown'> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('held');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ENOENT' ? 'missing' : 'unknown');
    });
  });
}
