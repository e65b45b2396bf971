import { createServer } from 'node:net';
import { ExitCode, PmtError } from '../errors.js';

const HINT =
  "set RestAdvertiseAddr (or --rest-advertise-addr) to an IP address of this machine that the swarm nodes reach (`ip -brief address` lists them), or leave it empty for the one that reaches the manager";

/** pmt cannot open its REST endpoint on the advertise address: said the same by a scan and by doctor. */
export function cannotListenError(advertiseAddr: string, why: string, cause?: unknown): PmtError {
  return new PmtError(`pmt could not listen on ${advertiseAddr}, the address swarm tasks reach it at: ${why}`, {
    origin: 'config',
    exitCode: ExitCode.usage,
    hint: HINT,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Binds a TCP port on `address` and lets it go at once (nothing is sent anywhere): undefined when
 * a scan's endpoint could listen there, else why not (e.g. `listen EADDRNOTAVAIL: …` for an
 * address that is not this machine's).
 */
export function listenProblem(address: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => resolve(error.message));
    server.listen(0, address, () => server.close(() => resolve(undefined)));
  });
}
