import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

const run = promisify(execFile);

describe('item 4: sockets, FIFOs and devices in the input are out of a plugin’s reach', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let input: string;
  let server: Server;
  let requests = 0;
  const sockets = new Set<Socket>();

  beforeEach(async () => {
    dir = await tempDir();
    input = join(dir.path, 'repo');
    await writeTree(input, { LICENSE: 'MIT\n', 'run/.keep': '' });
    // A host service listening on a socket inside the input, as a dev server or git's fsmonitor does.
    requests = 0;
    server = createServer((socket) => {
      requests++;
      sockets.add(socket);
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nSECRET');
    });
    await new Promise<void>((resolve) => server.listen(join(input, 'run/app.sock'), resolve));
    await run('mkfifo', [join(input, 'pipe')]);
    await run('mknod', [join(input, 'null-device'), 'c', '1', '3']);
    await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
  });
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await dir.remove();
  });

  it('a network-none plugin cannot connect to a listening socket in the input; each special file is an empty read-only file', async () => {
    const cmd = [
      'curl -sS -m 5 --unix-socket /input/run/app.sock http://host/ 2>&1;',
      'echo; (echo x > /input/pipe) 2>/dev/null && echo WROTE-FIFO;',
      'stat -c "%n %F %s" /input/run/app.sock /input/pipe /input/null-device /input/LICENSE',
    ].join(' ');
    const registry = await writeRegistry(dir.path, [{ name: 'prober', image: TestImages.curl, cmd: `{ ${cmd}; } > /result/result.txt` }]);
    const { code, report, stderr } = await scanJson(['-i', input, '-r', registry, '-p', 'prober', '--no-cache'], { cwd: dir.path });

    expect(code).toBe(0);
    const seen = await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8');
    expect(requests).toBe(0);
    expect(seen).not.toContain('SECRET');
    expect(seen).not.toContain('WROTE-FIFO');
    expect(seen).toContain('/input/run/app.sock regular empty file 0');
    expect(seen).toContain('/input/pipe regular empty file 0');
    expect(seen).toContain('/input/null-device regular empty file 0');
    expect(seen).toContain('/input/LICENSE regular file 4');
    expect(stderr).toMatch(/Shielded from plugins: sockets, FIFOs and devices replaced by empty files \(null-device, pipe, run\/app\.sock\)/);
    // The host's socket still serves the host, and the shield's temp files are gone.
    expect((await stat(join(input, 'run/app.sock'))).isSocket()).toBe(true);
    const { stdout } = await run('curl', ['-sS', '--unix-socket', join(input, 'run/app.sock'), 'http://host/']);
    expect(stdout).toBe('SECRET');
  });
});
