import { createServer, type AddressInfo } from 'node:net';

/**
 * A loopback TCP port that nothing listens on right now: bound by the OS, then closed again. Used
 * both for servers a test starts next (sshd, the registry) and as a port that refuses connections.
 */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
