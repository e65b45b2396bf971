import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PmtError } from '../errors.js';

/** The socket's file name inside the run's socket directory. */
export const SOCKET_NAME = 'api.sock';
/** Longest Unix socket path Linux accepts (sun_path is 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * Creates the run's private socket directory. Mode 0755, not 0700: a container process — root
 * without CAP_DAC_OVERRIDE, or a non-root `user` — must be able to reach the socket through it.
 * Nothing secret is in it; the per-run token is the protection.
 */
export async function createSocketDir(tempParent: string | undefined): Promise<{ dir: string; socketPath: string }> {
  const dir = await mkdtemp(join(tempParent ?? tmpdir(), 'pmt-api-'));
  const socketPath = join(dir, SOCKET_NAME);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    await rm(dir, { recursive: true, force: true });
    throw new PmtError(`the REST socket path ${socketPath} is longer than the ${MAX_SOCKET_PATH} bytes a Unix socket path may have`, {
      origin: 'config',
      hint: 'set TMPDIR to a shorter directory, or use the tcp REST transport',
    });
  }
  await chmod(dir, 0o755);
  // A fresh directory has no socket yet; removing a stale one anyway keeps listen() from EADDRINUSE.
  await rm(socketPath, { force: true });
  return { dir, socketPath };
}
