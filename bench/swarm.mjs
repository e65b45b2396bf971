#!/usr/bin/env node
// The swarm benchmark (issue 12), on the two-node lab of scripts/setup-swarm-lab.sh, each case
// against a baseline measured in the same invocation, alternated round by round:
//   (a) 8 plugins of `sleep 2`: `pmt scan --swarm --concurrency 8` through the manager against the
//       same 8 plugins run by pmt directly on node n1 (local mode, DOCKER_HOST = n1's socket; the
//       node's engine sees this machine's files). Target ≤ 1.3 ×. For reference, the docker CLI's
//       8-task replicated-job of the same image (bench/swarm-baseline.mjs).
//   (b) one trivial plugin: `pmt scan --swarm` against `docker service create --mode replicated-job
//       --detach=false` of the same image and command (bench/swarm-baseline.mjs). Target ≤ 1.2 ×.
// Prints the medians, ratios and, for the last swarm runs, where the time goes: every stderr line
// of pmt (JSON debug log and plain progress) stamped when it arrives, in ms from pmt's spawn.
// Without the lab it prints why and exits 0 — unless CI is set: there the lab must be up.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJob, labLogin, readLab, SLEEP_JOB, TEST_IMAGE, TRIVIAL_JOB } from './swarm-baseline.mjs';
import { median, PMT, printTable, SAMPLE, timed, verdict } from './lib/measure.mjs';

const ROUNDS = Number(process.env.PMT_BENCH_ROUNDS ?? 3);
const SLEEP_CMD = 'sleep 2; echo ok > /result/result.txt';
// `true`, with its (empty) output as the declared result: a plugin must write one.
const TRIVIAL_CMD = 'true > /result/result.txt';

/** What a stderr line marks, per plugin, in order (progress lines, the agent's and the endpoint's log). */
const PHASES = [
  ['pinned', (l) => l.progress === 'starting'],
  ['created', (l) => l.msg?.startsWith('Service ') && l.msg.includes(' created from ')],
  ['assigned', (l) => l.progress?.startsWith('starting on ')],
  ['running', (l) => l.progress?.startsWith('running on ')],
  ['input', (l) => l.msg === 'sending the input'],
  ['cmd done', (l) => l.progress?.startsWith('collecting')],
  ['result', (l) => l.msg === 'result received'],
  ['done', (l) => l.msg?.startsWith('Done:')],
];

const lab = await openLab();
const work = mkdtempSync(join(tmpdir(), 'pmt-bench-swarm-'));
const login = await labLogin(lab);
try {
  const image = lab.images[TEST_IMAGE].ref;
  const entry = (name, cmd) => `  - name: ${name}\n    version: "1"\n    docker_image: ${image}\n    shell: /bin/sh\n    cmd: ${cmd}\n    results: [result.txt]\n`;
  const sleepers = Array.from({ length: SLEEP_JOB.replicas }, (_, i) => `sleeper-${i}`);
  writeFileSync(join(work, 'sleepers.yaml'), `version: R1.0\nplugins:\n${sleepers.map((n) => entry(n, SLEEP_CMD)).join('')}`);
  writeFileSync(join(work, 'trivial.yaml'), `version: R1.0\nplugins:\n${entry('trivial', TRIVIAL_CMD)}`);
  writeFileSync(join(work, 'core_engine_config.json'), '{}');
  const password = readFileSync(lab.registry.passwordFile, 'utf8').trim();
  const pmtEnv = (host) => ({ ...process.env, DOCKER_HOST: host, REMOTEREPO_USER: lab.registry.user, REMOTEREPO_PASS: password });
  let runs = 0;
  const scan = (registry, { swarm, host }) =>
    pmtRun(['scan', ...(swarm ? ['--swarm'] : []), '-i', SAMPLE, '-r', registry, '-p', 'all', '--no-cache', '--concurrency', '8', '--json', '--log-level', 'debug', '--log-format', 'json', '--progress', 'plain', '-o', join(work, `out-${runs++}`)], {
      cwd: work,
      env: pmtEnv(host),
    });
  const sleepSwarm = () => scan('sleepers.yaml', { swarm: true, host: lab.manager.dockerHost });
  const sleepLocal = () => scan('sleepers.yaml', { swarm: false, host: lab.manager.dockerHost });
  const trivialSwarm = () => scan('trivial.yaml', { swarm: true, host: lab.manager.dockerHost });

  const before = await load();
  // Warm-up: the image on both nodes, the page cache, the swarm's first service.
  await sleepSwarm();
  await sleepLocal();
  await trivialSwarm();
  await cliJob(lab, login, TRIVIAL_JOB);
  const a = { swarm: [], local: [], cli: [] };
  const b = { swarm: [], cli: [], node: [] };
  for (let round = 0; round < ROUNDS; round++) {
    a.swarm.push(await sleepSwarm());
    a.local.push(await sleepLocal());
    a.cli.push(await cliJob(lab, login, SLEEP_JOB));
    b.swarm.push(await trivialSwarm());
    b.cli.push(await cliJob(lab, login, TRIVIAL_JOB));
    b.node.push({ ...(await timed(process.execPath, ['-e', '0'])), nodes: {} });
  }
  const after = await load();

  const med = (list) => median(list.map((r) => r.ms));
  const ratioA = med(a.swarm) / med(a.local);
  const ratioB = med(b.swarm) / med(b.cli);
  const s = (ms) => (ms / 1000).toFixed(2);
  const spread = (list) => list.map((r) => Object.values(r.nodes).join('+')).join(', ');
  console.log(`load before: ${before}\nload after:  ${after}\n${ROUNDS} rounds after a warm-up, alternated; medians\n`);
  printTable([
    ['case', 'median s', 'runs s', 'ratio', 'tasks per node'],
    [`(a) pmt on n1, local mode, ${sleepers.length} × sleep 2 (baseline)`, s(med(a.local)), a.local.map((r) => s(r.ms)).join(' '), '1.00', spread(a.local)],
    [`(a) pmt --swarm, ${sleepers.length} × sleep 2`, s(med(a.swarm)), a.swarm.map((r) => s(r.ms)).join(' '), ratioA.toFixed(2), spread(a.swarm)],
    [`(a) docker CLI replicated-job, ${SLEEP_JOB.replicas} tasks (reference)`, s(med(a.cli)), a.cli.map((r) => s(r.ms)).join(' '), (med(a.cli) / med(a.local)).toFixed(2), spread(a.cli)],
    [`(b) docker CLI replicated-job, 1 × ${TRIVIAL_JOB.command} (baseline)`, s(med(b.cli)), b.cli.map((r) => s(r.ms)).join(' '), '1.00', spread(b.cli)],
    [`(b) pmt --swarm, 1 × ${TRIVIAL_JOB.command}`, s(med(b.swarm)), b.swarm.map((r) => s(r.ms)).join(' '), ratioB.toFixed(2), spread(b.swarm)],
    ['(b) node -e 0 (what any pmt run costs first)', s(med(b.node)), b.node.map((r) => s(r.ms)).join(' '), (med(b.node) / med(b.cli)).toFixed(2), ''],
  ]);
  // pmt's own start (Node, its code, the engine's version and swarm state, the image pinned on the
  // manager) against what happens once the service exists, which is what the CLI's time is made of.
  const created = b.swarm.map((r) => r.lines.find((l) => l.text.includes('"msg":"Service ') && l.text.includes(' created from '))?.at ?? NaN);
  console.log(`\n(b) pmt --swarm up to its service created: median ${median(created).toFixed(0)} ms; from there to its exit: median ${median(b.swarm.map((r, i) => r.ms - created[i])).toFixed(0)} ms (the CLI's whole job: ${med(b.cli).toFixed(0)} ms)`);
  console.log(`\n(b) where the time goes, last pmt --swarm run (ms from pmt's spawn, as its stderr lines arrived):`);
  printTable([['plugin', ...PHASES.map(([name]) => name)], ...timeline(b.swarm.at(-1), ['trivial'])]);
  console.log(`pmt exited at ${Math.round(b.swarm.at(-1).ms)} (after the service's removal)`);
  console.log(`\n(a) the same for the last pmt --swarm run of ${sleepers.length} sleepers:`);
  printTable([['plugin', ...PHASES.map(([name]) => name)], ...timeline(a.swarm.at(-1), sleepers)]);
  console.log(`pmt exited at ${Math.round(a.swarm.at(-1).ms)}`);
  console.log(`\n(a) pmt --swarm: ${ratioA.toFixed(2)} × pmt on one node (target ≤ 1.3: ${verdict(ratioA <= 1.3)})`);
  console.log(`(b) pmt --swarm: ${ratioB.toFixed(2)} × docker service create (target ≤ 1.2: ${verdict(ratioB <= 1.2)})`);
} finally {
  login.remove();
  rmSync(work, { recursive: true, force: true });
}

/** The lab, or exit: skipped (0) when it is not up and CI is not set, failed (1) on CI. */
async function openLab() {
  try {
    const found = readLab();
    const { stdout } = await timed('docker', ['-H', found.manager.dockerHost, 'info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}}']);
    if (stdout.trim() !== 'active true 2') throw new Error(`the swarm lab's manager says ${stdout.trim()} (want: active true 2 nodes); restart it with \`bash scripts/setup-swarm-lab.sh\``);
    return found;
  } catch (error) {
    if (process.env.CI) {
      console.error(`swarm benchmark: ${error.message}`);
      process.exit(1);
    }
    console.log(`skipped: ${error.message.split('\n')[0]}`);
    process.exit(0);
  }
}

/** `uptime` (load averages over 1, 5, 15 min) and the core count: the machine may be shared. */
async function load() {
  const { stdout } = await timed('uptime', []);
  return `${stdout.trim()}; ${availableParallelism()} cores`;
}

/** Runs pmt; its wall time, its --json report (nodes per plugin) and each stderr line with its arrival in ms. */
function pmtRun(args, options) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [PMT, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let pending = '';
    const lines = [];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      const at = performance.now() - started;
      const parts = (pending + d).split('\n');
      pending = parts.pop();
      for (const text of parts) lines.push({ at, text });
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`pmt ${args.join(' ')} exited ${code}: ${lines.slice(-5).map((l) => l.text).join('\n')}`));
      const report = JSON.parse(stdout);
      const nodes = {};
      for (const p of report.plugins) nodes[p.node ?? 'n1'] = (nodes[p.node ?? 'n1'] ?? 0) + 1;
      resolve({ ms, report, lines, nodes });
    });
  });
}

/** Per plugin, when each phase's line arrived; `end`: pmt's exit (after the services' removal). */
function timeline(run, names) {
  const rows = new Map(names.map((n) => [n, {}]));
  for (const { at, text } of run.lines) {
    const line = parseLine(text, names);
    const row = line && rows.get(line.plugin);
    const phase = row && PHASES.find(([, matches]) => matches(line));
    if (phase) row[phase[0]] ??= Math.round(at);
  }
  return [...rows].map(([plugin, row]) => [plugin, ...PHASES.map(([name]) => row[name] ?? '-')]);
}

function parseLine(text, names) {
  const progress = /^\[Progress\] ([^:]+): (.*)$/.exec(text);
  if (progress) return { plugin: progress[1], progress: progress[2] };
  if (!text.startsWith('{')) return undefined;
  const json = JSON.parse(text);
  return { plugin: json.plugin ?? names[json.pluginRun], msg: json.msg };
}
