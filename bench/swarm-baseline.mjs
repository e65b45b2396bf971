#!/usr/bin/env node
// Baselines of the swarm benchmark (issue 12), on the swarm lab of scripts/setup-swarm-lab.sh: the
// same work as pmt's swarm runs, done by the docker CLI against the manager —
//   (a) 8 tasks of `sleep 2`: one `docker service create --mode replicated-job --replicas 8
//       --max-concurrent 8 --detach=false` of the test image, waited for by the CLI;
//   (b) one trivial task the same way.
// pmt's side imports `cliJob`/`cliJobRounds` and `readLab` from here and measures itself in the same
// invocation. Run alone, this prints the baselines. Docker 20.10 keeps a removed replicated-job's task
// containers on the nodes (moby/moby#42789): each run removes them node by node, by its own label.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, printTable, timed } from './lib/measure.mjs';

export const LAB_STATE_FILE = '/run/pmt-swarm-lab/lab.json';
export const TEST_IMAGE = 'pmt-test/curl:1';
/** (a): 8 tasks that each sleep 2 s. */
export const SLEEP_JOB = { replicas: 8, command: 'sleep 2' };
/** (b): one trivial task. */
export const TRIVIAL_JOB = { replicas: 1, command: 'true' };

/** The lab's state (nodes, registry, where each image is); throws with the set-up command when it is not up. */
export function readLab() {
  try {
    return JSON.parse(readFileSync(LAB_STATE_FILE, 'utf8'));
  } catch (error) {
    throw new Error(`the swarm lab is not up (${LAB_STATE_FILE}: ${error.message}); start it with \`bash scripts/setup-swarm-lab.sh\``);
  }
}

/**
 * A docker CLI config dir logged in to the lab registry, so `--with-registry-auth` sends the login
 * with the service as pmt sends X-Registry-Auth. `remove()` deletes it.
 */
export async function labLogin(lab) {
  const dir = mkdtempSync(join(tmpdir(), 'pmt-bench-swarm-docker-'));
  const password = readFileSync(lab.registry.passwordFile, 'utf8').trim();
  await timed('sh', ['-c', 'printf %s "$PASS" | docker -H "$HOST" login --username "$USER_NAME" --password-stdin "$REGISTRY" >/dev/null'], {
    env: { ...process.env, DOCKER_CONFIG: dir, PASS: password, HOST: lab.manager.dockerHost, USER_NAME: lab.registry.user, REGISTRY: lab.registry.pull },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * One `docker service create --mode replicated-job --detach=false` of `image` (pinned to its registry
 * digest, as pmt pins it) running `sh -c command` in `replicas` tasks at once on the host network,
 * timed from the CLI's start to its exit (the job complete). Then removes the service and its task
 * containers on every node. Returns the wall time and how many tasks ran on each node.
 */
export async function cliJob(lab, login, { replicas, command, image = TEST_IMAGE }) {
  const pinned = lab.images[image]?.pinned;
  if (!pinned) throw new Error(`${image} is not in the lab registry; run \`bash scripts/setup-swarm-lab.sh\``);
  const id = `pmt-bench-${randomBytes(4).toString('hex')}`;
  const env = { ...process.env, DOCKER_CONFIG: login.dir };
  const manager = ['-H', lab.manager.dockerHost];
  const create = ['service', 'create', '--quiet', '--detach=false', '--name', id, '--label', `pmt.bench=${id}`, '--container-label', `pmt.bench=${id}`];
  const job = ['--mode', 'replicated-job', '--replicas', String(replicas), '--max-concurrent', String(replicas), '--restart-condition', 'none'];
  try {
    const { ms } = await timed('docker', [...manager, ...create, ...job, '--network', 'host', '--with-registry-auth', pinned, 'sh', '-c', command], { env });
    const { stdout } = await timed('docker', [...manager, 'service', 'ps', '--format', '{{.Node}} {{.CurrentState}}', id]);
    const nodes = {};
    for (const line of stdout.trim().split('\n')) {
      const [node, state] = line.split(' ');
      if (state !== 'Complete') throw new Error(`a task of ${id} ended ${line}`);
      nodes[node] = (nodes[node] ?? 0) + 1;
    }
    return { ms, nodes };
  } finally {
    await removeJob(lab, id);
  }
}

/** Removes the job's service and, on each node, its task containers with their anonymous volumes. */
async function removeJob(lab, id) {
  await timed('docker', ['-H', lab.manager.dockerHost, 'service', 'rm', id], { allowFailure: true });
  for (const node of [lab.manager, lab.worker]) {
    const { stdout } = await timed('docker', ['-H', node.dockerHost, 'ps', '--all', '--quiet', '--filter', `label=pmt.bench=${id}`]);
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await timed('docker', ['-H', node.dockerHost, 'rm', '--force', '--volumes', ...ids]);
  }
}

/** `rounds` runs of cliJob after one warm-up run; wall times in ms and their median. */
export async function cliJobRounds(lab, login, job, rounds) {
  await cliJob(lab, login, job);
  const runs = [];
  for (let i = 0; i < rounds; i++) runs.push(await cliJob(lab, login, job));
  return { runs, ms: runs.map((r) => r.ms), median: median(runs.map((r) => r.ms)) };
}

const spread = (runs) => runs.map((r) => Object.values(r.nodes).join('+')).join(', ');

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ROUNDS = Number(process.env.PMT_BENCH_ROUNDS ?? 3);
  const lab = readLab();
  const login = await labLogin(lab);
  try {
    const sleeps = await cliJobRounds(lab, login, SLEEP_JOB, ROUNDS);
    const trivial = await cliJobRounds(lab, login, TRIVIAL_JOB, ROUNDS);
    printTable([
      ['baseline (docker CLI, replicated-job, --detach=false)', 'median ms', 'min ms', 'tasks per node'],
      [`(a) ${SLEEP_JOB.replicas} × ${SLEEP_JOB.command}`, sleeps.median.toFixed(0), Math.min(...sleeps.ms).toFixed(0), spread(sleeps.runs)],
      [`(b) 1 × ${TRIVIAL_JOB.command}`, trivial.median.toFixed(0), Math.min(...trivial.ms).toFixed(0), spread(trivial.runs)],
    ]);
    console.log(`${ROUNDS} rounds each after a warm-up; pmt's side of the swarm benchmark compares against these`);
  } finally {
    login.remove();
  }
}
