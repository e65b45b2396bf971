// One request to the Docker engine's API over its Unix socket with node:http and nothing else: what
// the floor clients use, so that they pay no client library's start-up (dockerode loads BuildKit's
// gRPC stack when required). DOCKER_HOST may name another unix:// socket.
import { request } from 'node:http';

export const SOCKET = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';

/** Resolves with the answer's status and body (parsed when JSON); rejects on a status of 400 or more. */
export function engine(method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: SOCKET, method, path, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
        else resolve({ status: res.statusCode, body: /json/.test(res.headers['content-type'] ?? '') && text ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
