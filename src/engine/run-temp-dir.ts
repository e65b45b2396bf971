import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

/** Name of every run's private temp directory: `pmt-run-<run id>`. */
export const RUN_DIR_PREFIX = 'pmt-run-';
/** The socket in a run's temp directory that answers while the run lives. */
export const LEASE_SOCKET = 'lease.sock';

/**
 * A run's own temp directory for what must not outlive it — spilled results, the
 * REST socket, the input shield, probes — with a Unix socket pmt listens on while the run lives.
 * That socket is the directory's lease: the kernel closes it when the process ends, however it
 * ends, so a later pmt that cannot connect knows the run is gone (see sweep-run-temp-dirs.ts) — in
 * any PID namespace, and whatever pid the dead run had.
 */
export class RunTempDir {
  private constructor(
    readonly path: string,
    private readonly lease: Server,
  ) {}

  static async open(parent: string, runId: string): Promise<RunTempDir> {
    const path = join(parent, `${RUN_DIR_PREFIX}${runId}`);
    await mkdir(path);
    // Traversable, as the REST socket's directory inside must be reachable by a container's user;
    // spilled results sit in a 0700 directory of their own.
    await chmod(path, 0o755);
    const lease = createServer((socket) => socket.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        lease.once('error', reject);
        lease.listen(join(path, LEASE_SOCKET), resolve);
      });
    } catch (error) {
      await rm(path, { recursive: true, force: true });
      throw error;
    }
    // The lease must never keep pmt running.
    lease.unref();
    return new RunTempDir(path, lease);
  }

  /** Closes the lease and removes the directory with all it holds. */
  async remove(): Promise<void> {
    await new Promise<void>((resolve) => this.lease.close(() => resolve()));
    await rm(this.path, { recursive: true, force: true });
  }
}
