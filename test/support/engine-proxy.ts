import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';

const ENGINE_SOCKET = '/var/run/docker.sock';

export interface EngineProxy {
  /** `unix://…` for --docker-host. */
  readonly dockerHost: string;
  /** Every request seen, in order: `GET /version`, `POST /containers/…/start`, … */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * A unix socket in front of the real engine's: forwards every request, the hijacked attach streams
 * too, except those `refuse` answers itself with an HTTP status. For tests of what pmt does when
 * the engine fails one kind of request.
 */
export async function startEngineProxy(dir: string, refuse: (method: string, path: string) => number | undefined): Promise<EngineProxy> {
  const socketPath = join(dir, 'engine-proxy.sock');
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming, answer) => {
    const path = incoming.url ?? '/';
    requests.push(`${incoming.method} ${path.split('?')[0]}`);
    const status = refuse(incoming.method ?? 'GET', path);
    if (status !== undefined) {
      incoming.resume();
      answer.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'refused by the test proxy' }));
      return;
    }
    const upstream = request({ socketPath: ENGINE_SOCKET, method: incoming.method, path, headers: incoming.headers }, (reply) => {
      answer.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(answer);
    });
    upstream.on('error', () => answer.destroy());
    incoming.pipe(upstream);
  });
  // Attach with stdin is an HTTP upgrade: from then on both sides are raw streams.
  server.on('upgrade', (incoming, client: Socket, head: Buffer) => {
    requests.push(`${incoming.method} ${(incoming.url ?? '/').split('?')[0]}`);
    sockets.add(client);
    const upstream = connect(ENGINE_SOCKET, () => {
      const lines = [`${incoming.method} ${incoming.url} HTTP/1.1`];
      for (let i = 0; i < incoming.rawHeaders.length; i += 2) lines.push(`${incoming.rawHeaders[i]}: ${incoming.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end).on('close', end);
    client.on('error', end).on('close', end);
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    dockerHost: `unix://${socketPath}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
