import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SshDestination } from './ssh-command.js';
import { SshSocket } from './ssh-socket.js';

/** How long an idle pooled ssh connection is kept for the next request. */
const IDLE_MS = 15_000;
/** How long close() lets ssh end by itself before killing it. */
const CLOSE_MS = 2_000;

/**
 * The http.Agent docker-modem sends every request through for an ssh:// engine: each connection is
 * one `ssh … docker system dial-stdio` process. Connections are kept alive and reused, as the
 * docker CLI's transport does, so a scan's many requests do not each pay an ssh handshake; an idle
 * one ends after IDLE_MS. Attach streams (hijacked connections) leave the pool and end with their
 * stream.
 */
export class SshHttpAgent extends Agent {
  constructor(
    private readonly destination: SshDestination,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    super({ keepAlive: true, timeout: IDLE_MS });
  }

  /** Every ssh connection still open, pooled or taken out of the pool by an attach. */
  private readonly open = new Set<SshSocket>();

  override createConnection(): Duplex {
    const socket = new SshSocket(this.destination, this.env);
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    return socket;
  }

  /**
   * Ends every connection and waits (at most CLOSE_MS) for its ssh to exit, so none outlives pmt:
   * EOF first, which lets ssh close the remote session cleanly; whatever is still running then is
   * killed.
   */
  async close(): Promise<void> {
    const sockets = [...this.open];
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => socket.destroy(), CLOSE_MS);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            socket.ref();
            socket.end();
            // Nothing more is read: let whatever the engine still sends flow away.
            socket.resume();
          }),
      ),
    );
    this.destroy();
  }
}
