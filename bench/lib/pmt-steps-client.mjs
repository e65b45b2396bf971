#!/usr/bin/env node
// pmt's own engine and container steps for a scan, done by a bare Node client with nothing else of
// pmt: the floor for "the same steps" that issue 15 asks for (test/e2e/bench-steps-floor.test.ts
// checks that it asks the engine what pmt asks). Per run, as pmt does them: ping; inspect the first
// plugin's image; the file-sharing probe in it (a container with a marker and the input bound, two
// HEAD stats, removed later, see below); an HTTP server on a Unix socket bound into every
// plugin. Per plugin, `concurrency` at a time: inspect its image (each agent makes sure of it); create
// with pmt's container spec (limits, init, capabilities dropped, the input read-only, the socket dir,
// a volume for /result); attach to the main shell's stdin, write the first line and the
// compatibility check's `echo test` behind it, start; then `curl -V` (in the first container of an
// image to start; the others wait for its answer), the command and the upload (one curl posting the
// results with a bearer token), each one line for the main shell in pmt's line format (watcher, OOM
// score, end tags on stdout and stderr); then the end of the idle main shell's input, a wait for the container to stop by itself
// and its removal. Once every started container runs its command (or the first plugin is done), the
// probe's removal and the sweep's requests (/swarm, the run-labelled containers and volumes); at the
// end /version and the check that nothing is left.
// Leaves out everything that is not an engine or container step: the CLI, validation, logs, the
// input digest, provenance, multipart parsing (the body is saved as it comes).
// `--leave-out probe,check,sweep` drops steps to price them.
// `node bench/lib/pmt-steps-client.mjs REGISTRY INPUT --out DIR [--plugin NAME] [--concurrency N] [--leave-out STEPS]`
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { engine, SOCKET } from './engine-http.mjs';
import { yaml } from './yaml-island.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { plugin: { type: 'string' }, concurrency: { type: 'string', default: '1' }, out: { type: 'string' }, 'leave-out': { type: 'string', default: '' } },
});
const [registryFile, inputArg] = positionals;
const input = inputArg && resolve(inputArg);
if (!registryFile || !input || !values.out) throw new Error('usage: pmt-steps-client.mjs REGISTRY INPUT --out DIR [--plugin NAME] [--concurrency N]');
const leftOut = new Set(values['leave-out'].split(',').filter(Boolean));
for (const step of leftOut) if (!['probe', 'check', 'sweep'].includes(step)) throw new Error(`--leave-out: no step ${step}`);
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const plugins = yaml().parse(readFileSync(registryFile, 'utf8')).plugins.filter((p) => !values.plugin || values.plugin === 'all' || p.name === values.plugin);
const run = randomBytes(6).toString('hex');
process.stdout.write(`${run}\n`); // the run's id, which its objects carry as pmt.run
const labels = { 'pmt.run': run, 'pmt.pid': String(process.pid) };
const token = randomBytes(32).toString('hex');
const tag = `pmt-end-${randomBytes(16).toString('hex')}`;
const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
const runTemp = mkdtempSync(join(tmpdir(), `pmt-floor-${run}-`));

await engine('GET', '/_ping');
await engine('GET', `/images/${plugins[0].docker_image}/json`); // the probe runs the first plugin's image

// The file-sharing probe: does the engine see this host's files? Its container is removed beside
// the first plugin's start, as pmt does.
async function probeFileSharing() {
  const marker = join(runTemp, 'probe');
  mkdirSync(marker);
  writeFileSync(join(marker, 'marker'), run);
  const { body } = await engine('POST', '/containers/create', {
    Image: plugins[0].docker_image,
    Cmd: ['true'],
    Labels: labels,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      Mounts: [
        { Type: 'bind', Source: marker, Target: '/pmt-probe/marker', ReadOnly: true },
        { Type: 'bind', Source: input, Target: '/pmt-probe/input', ReadOnly: true },
      ],
    },
  });
  await Promise.all([engine('HEAD', `/containers/${body.Id}/archive?path=/pmt-probe/marker/marker`), engine('HEAD', `/containers/${body.Id}/archive?path=/pmt-probe/input`)]);
  return body.Id;
}
const probe = leftOut.has('probe') ? undefined : await probeFileSharing();

// The REST endpoint: a Unix socket in a directory bound read-only into every plugin.
const socketDir = join(runTemp, 'api');
mkdirSync(socketDir, { mode: 0o755 });
let received = 0;
const server = createServer((req, res) => {
  if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
  const file = createWriteStream(join(out, `upload-${received++}`));
  req.pipe(file).once('finish', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"saved":1}'));
});
server.listen(join(socketDir, 'api.sock'));
await once(server, 'listening');
chmodSync(join(socketDir, 'api.sock'), 0o777);

// What pmt holds until every container it started runs its command, or the first plugin is done (its
// StartWave): the probe's removal and the sweep of dead runs' objects.
let background;
const releaseBackground = () =>
  (background ??= Promise.all([
    probe && engine('DELETE', `/containers/${probe}?force=true&v=true`),
    ...(leftOut.has('sweep')
      ? []
      : [
          engine('GET', '/swarm').catch(() => undefined),
          engine('GET', `/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ label: ['pmt.run'] }))}`),
          engine('GET', `/volumes?filters=${encodeURIComponent(JSON.stringify({ label: ['pmt.run'] }))}`),
        ]),
  ]));

/** What ends each line for the main shell: the exit status and the tag on stdout, the tag on stderr. */
const END = `echo; echo "${tag} $pmt_status"; echo >&2; echo ${tag} >&2\n`;
const STATUS_END = new RegExp(`\\n${tag} (\\d+)\\n`);

/** One line for the main shell in pmt's format: watcher on stdin, OOM score, end tags on both streams. */
function commandLine(argv) {
  const watcher = `exec 3<&0; { IFS= read -r pmt_line; kill -9 $$; } <&3 & pmt_watcher=$!`;
  const body = `( echo 1000 2>/dev/null >/proc/self/oom_score_adj; ${argv.map(q).join(' ')} ) </dev/null 3<&-; pmt_status=$?`;
  return `${watcher}; ${body}; kill $pmt_watcher 2>/dev/null; wait $pmt_watcher 2>/dev/null; ${END}`;
}

/** The attach connection, hijacked: resolves with the socket once the engine answered 101. */
function attach(id) {
  return new Promise((resolvePromise, reject) => {
    const req = request({
      socketPath: SOCKET,
      method: 'POST',
      path: `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`,
      headers: { Connection: 'Upgrade', Upgrade: 'tcp' },
    });
    req.once('upgrade', (_res, socket) => resolvePromise(socket));
    req.once('response', (res) => reject(new Error(`attach: ${res.statusCode}`)));
    req.once('error', reject);
    req.end();
  });
}

/** Reads the multiplexed attach stream and resolves each command when both end tags have come. */
class Shell {
  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.text = { 1: '', 2: '' };
    this.pending = [];
    socket.on('data', (chunk) => this.read(chunk));
  }
  read(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 8) {
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) break;
      const stream = this.buffer[0];
      this.text[stream] = this.text[stream] + this.buffer.subarray(8, 8 + size).toString('latin1');
      this.buffer = this.buffer.subarray(8 + size);
    }
    // Two lines may be answered in one chunk (the check is written behind the first line).
    for (;;) {
      const status = STATUS_END.exec(this.text[1]);
      const stderrEnd = this.text[2].indexOf(`\n${tag}\n`);
      if (!status || stderrEnd < 0 || !this.pending.length) break;
      this.text = { 1: this.text[1].slice(status.index + status[0].length), 2: this.text[2].slice(stderrEnd + tag.length + 2) };
      this.pending.shift()(Number(status[1]));
    }
    this.text = { 1: this.text[1].slice(-4096), 2: this.text[2].slice(-4096) };
  }
  run(line) {
    return new Promise((resolvePromise) => {
      this.pending.push(resolvePromise);
      this.socket.write(line);
    });
  }
}

// Every declared result in one curl, the token and file names through its config on stdin, as pmt's upload script does.
const upload = `{ printf 'header = "Authorization: Bearer %s"\\n' "$PMT_TOKEN"; for name; do printf 'form = "result=@/result/%s"\\n' "$name"; done; } | curl --unix-socket "$PMT_API_SOCKET" -sS --fail-with-body -F "name=$PMT_PLUGIN_NAME" -F "id=$PMT_PLUGIN_ID" -K - http://pmt/save`;

/** Per image, the first plugin's `curl -V`, which the others wait for. */
const curlAnswers = new Map();

/** Plugins between their create and their command: the held work waits until there are none. */
let beforeCommand = 0;
const commandSent = () => {
  if (--beforeCommand === 0) releaseBackground();
};

async function runPlugin(plugin, index) {
  const pluginLabels = { ...labels, 'pmt.plugin': plugin.name };
  await engine('GET', `/images/${plugin.docker_image}/json`);
  beforeCommand++;
  let sent = false;
  const { body } = await engine('POST', '/containers/create', {
    Image: plugin.docker_image,
    Cmd: [plugin.shell],
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    Labels: pluginLabels,
    Env: [`PMT_PLUGIN_NAME=${plugin.name}`, `PMT_PLUGIN_ID=${index}`, `PMT_RUN_ID=${run}`, 'PMT_INPUT_DIR=/input', 'PMT_RESULT_DIR=/result', `PMT_TOKEN=${token}`, 'PMT_API_SOCKET=/run/pmt/api.sock'],
    HostConfig: {
      Mounts: [
        { Type: 'bind', Source: input, Target: '/input', ReadOnly: true },
        { Type: 'bind', Source: socketDir, Target: '/run/pmt', ReadOnly: true },
        { Type: 'volume', Target: '/result', VolumeOptions: { Labels: pluginLabels } },
      ],
      NetworkMode: 'none',
      Memory: 2 ** 31,
      MemorySwap: 2 ** 31,
      PidsLimit: 1024,
      Init: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
    },
  });
  const id = body.Id;
  try {
    const shell = new Shell(await attach(id));
    const greeting = shell.run(`: </dev/null; pmt_status=$?; ${END}`);
    // As pmt: the check's `echo test` goes right behind the first line, before the start; then, as
    // pmt's ProbeAnswers, the first container of an image to start runs `curl -V` and the others
    // wait for its answer.
    const checked = leftOut.has('check') ? undefined : shell.run(commandLine([plugin.shell, '-c', 'echo test']));
    checked?.catch(() => undefined);
    await engine('POST', `/containers/${id}/start`);
    await greeting;
    const checkStatus = await checked;
    if (checkStatus !== undefined && checkStatus !== 0) throw new Error(`${plugin.name}: the check exited ${checkStatus}`);
    if (!leftOut.has('check')) {
      const answered = curlAnswers.get(plugin.docker_image);
      if (answered) await answered;
      else {
        let tellCurl;
        curlAnswers.set(plugin.docker_image, new Promise((resolve) => (tellCurl = resolve)));
        const status = await shell.run(commandLine([plugin.shell, '-c', 'curl -V'])).finally(() => tellCurl());
        if (status !== 0) throw new Error(`${plugin.name}: curl -V exited ${status}`);
      }
    }
    const steps = [
      [plugin.shell, '-c', plugin.cmd],
      [plugin.shell, '-c', upload, 'pmt-post-results', ...plugin.results],
    ];
    for (const step of steps) {
      const running = shell.run(commandLine(step));
      if (!sent) {
        sent = true;
        commandSent();
      }
      const status = await running;
      if (status !== 0) throw new Error(`${plugin.name}: ${step.slice(0, 3).join(' ')} exited ${status}`);
    }
    // As pmt's finish: the end of its input ends the idle main shell, and with it the container,
    // which then needs no kill on removal.
    shell.socket.end();
    await engine('POST', `/containers/${id}/wait?condition=not-running`);
    shell.socket.destroy();
  } finally {
    if (!sent) commandSent();
    releaseBackground(); // a plugin is done: the held work waits no longer
    await engine('DELETE', `/containers/${id}?force=true&v=true`);
  }
}

try {
  let next = 0;
  const worker = async () => {
    while (next < plugins.length) {
      const index = next++;
      await runPlugin(plugins[index], index);
    }
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  await Promise.all([releaseBackground(), engine('GET', '/version')]);
  const left = await engine('GET', `/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ label: [`pmt.run=${run}`] }))}`);
  if (left.body.length) throw new Error(`containers left: ${left.body.length}`);
  if (received !== plugins.length) throw new Error(`${received} uploads for ${plugins.length} plugins`);
} finally {
  server.close();
  rmSync(runTemp, { recursive: true, force: true });
}
