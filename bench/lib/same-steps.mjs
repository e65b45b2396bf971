// The floor for a run of many plugins: the same containers, started by `xargs -P docker run --rm`,
// doing inside what pmt's REST transport has each plugin's container do — the compatibility check
// (`echo test; curl -V`), the command, and one curl posting the result over a Unix socket — with a
// bare HTTP server in this process answering the posts. What pmt adds on top of this is its own
// orchestration (engine requests, its endpoint's multipart parsing, logs, saving); what this adds on
// top of the plain `docker run` baseline is the cost of the plugin contract itself (two curl
// processes per container: ~6 ms of CPU each on the 2-core reference machine).
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts the socket server; `command(count, concurrency, image, cmd, input, result)` is the xargs line. */
export async function sameStepsBaseline() {
  const dir = mkdtempSync(join(tmpdir(), 'pmt-bench-floor-'));
  chmodSync(dir, 0o755);
  let posts = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.once('end', () => {
      posts++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"saved":1}');
    });
  });
  server.listen(join(dir, 'api.sock'));
  await once(server, 'listening');
  chmodSync(join(dir, 'api.sock'), 0o777);
  const steps = (cmd, result) =>
    [
      "/bin/sh -c 'echo test; curl -V' > /dev/null",
      `/bin/sh -c ${shellQuote(cmd)}`,
      `curl -sS --fail-with-body --unix-socket /run/pmt/api.sock -F name=plugin -F result=@/result/${result} http://pmt/save > /dev/null`,
    ].join(' && ');
  return {
    command: (count, concurrency, image, cmd, input, result = 'result.txt') =>
      `seq ${count} | xargs -P${concurrency} -I{} docker run --rm --network none -v ${input}:/input:ro -v ${dir}:/run/pmt -v /result ${image} /bin/sh -c ${shellQuote(steps(cmd, result))}`,
    posts: () => posts,
    async close() {
      server.close();
      await once(server, 'close');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function shellQuote(text) {
  return `'${text.replaceAll("'", `'"'"'`)}'`;
}
