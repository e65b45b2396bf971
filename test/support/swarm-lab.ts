import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { tempDir } from './fixtures.js';
import { TestImages } from './test-images.js';

const run = promisify(execFile);

/**
 * The two-node swarm lab that scripts/setup-swarm-lab.sh starts (see its header): one dockerd per
 * network namespace, n1 the manager, n2 the worker, and a registry with a login that the nodes pull
 * from. Tests read its state file and talk to each node's engine directly, independently of pmt.
 */
export const LAB_STATE_FILE = '/run/pmt-swarm-lab/lab.json';
const SETUP_HINT = 'start it with `bash scripts/setup-swarm-lab.sh` (part of `npm run test:all`)';

interface LabNodeState {
  name: 'n1' | 'n2';
  role: 'manager' | 'worker';
  /** Swarm node id. */
  id: string;
  /** The node's address on the lab bridge. */
  addr: string;
  hostname: string;
  /** `unix:///run/pmt-swarm-lab/nN/docker.sock`. */
  dockerHost: string;
  netns: string;
  /** The node's dockerd log (pull errors and the agent's task errors name their cause here). */
  dockerdLog: string;
}

export interface LabImage {
  /** `10.231.77.1:5005/REPO:TAG`. */
  ref: string;
  /** Manifest digest in the lab registry. */
  digest: string;
  /** `10.231.77.1:5005/REPO@sha256:…`, as a swarm service pins it. */
  pinned: string;
}

interface LabStateImage extends LabImage {
  /** The main engine's image id when set-up pushed it. */
  id: string;
}

export interface LabState {
  version: 1;
  /** The host's address on the bridge: the registry, and pmt's REST endpoint for tasks. */
  hostAddr: string;
  bridge: string;
  manager: LabNodeState;
  worker: LabNodeState;
  registry: { pull: string; push: string; user: string; passwordFile: string; pullLog: string };
  /** Local image (`pmt/licensee:9.15.2`, `pmt-test/curl:1`) → where the nodes find it. */
  images: Record<string, LabStateImage>;
}

export interface LabNode extends LabNodeState {
  docker: Dockerode;
}

export interface SwarmLab {
  state: LabState;
  manager: LabNode;
  worker: LabNode;
  nodes: LabNode[];
  /** The registry login, as the Engine API takes it (for `X-Registry-Auth` on the nodes' side). */
  auth: { username: string; password: string; serveraddress: string };
  /** Where the nodes find a local image that set-up pushed; throws for any other. */
  image(local: string): LabImage;
}

let lab: Promise<SwarmLab> | undefined;

/** The lab, checked once per test worker: both nodes Ready, the registry answering the login. */
export function swarmLab(): Promise<SwarmLab> {
  lab ??= openLab();
  return lab;
}

async function openLab(): Promise<SwarmLab> {
  let state: LabState;
  try {
    state = JSON.parse(await readFile(LAB_STATE_FILE, 'utf8')) as LabState;
  } catch (error) {
    throw new Error(`The swarm lab is not up (${LAB_STATE_FILE}: ${(error as Error).message}); ${SETUP_HINT}.`);
  }
  const node = (s: LabNodeState): LabNode => ({ ...s, docker: new Dockerode({ socketPath: s.dockerHost.replace(/^unix:\/\//, '') }) });
  const manager = node(state.manager);
  const worker = node(state.worker);
  const password = (await readFile(state.registry.passwordFile, 'utf8')).trim();
  const result: SwarmLab = {
    state,
    manager,
    worker,
    nodes: [manager, worker],
    auth: { username: state.registry.user, password, serveraddress: state.registry.pull },
    image(local) {
      const found = state.images[local];
      if (!found) throw new Error(`${local} is not in the swarm lab's registry (set-up pushes ${Object.keys(state.images).join(', ')}); use pushLabImage`);
      return found;
    },
  };
  await checkLab(result);
  return result;
}

async function checkLab(lab: SwarmLab): Promise<void> {
  for (const node of lab.nodes) {
    await node.docker.ping().catch((error: Error) => {
      throw new Error(`The swarm lab's node ${node.name} does not answer at ${node.dockerHost} (${error.message}); ${SETUP_HINT}.`);
    });
  }
  const nodes = await lab.manager.docker.listNodes();
  for (const want of lab.nodes) {
    const found = nodes.find((n) => n.ID === want.id);
    if (found?.Status?.State !== 'ready') {
      throw new Error(`The swarm lab's node ${want.name} (${want.id}) is ${found?.Status?.State ?? 'not in the swarm'}; ${SETUP_HINT}.`);
    }
  }
  const answer = await registryFetch(lab, '/v2/').catch((error: Error) => ({ ok: false, status: error.message }));
  if (!answer.ok) throw new Error(`The swarm lab's registry does not accept the login at ${lab.state.registry.push} (${answer.status}); ${SETUP_HINT}.`);
  // A test image or plugin image rebuilt since set-up pushed it: the nodes would run the old one.
  const main = new Dockerode();
  for (const [local, image] of Object.entries(lab.state.images)) {
    const id = await main
      .getImage(local)
      .inspect()
      .then((info) => info.Id)
      .catch(() => undefined);
    if (id !== undefined && id !== image.id) {
      throw new Error(`${local} changed on the main engine since the swarm lab's registry got it (${image.id.slice(7, 19)} → ${id.slice(7, 19)}); push it again with \`bash scripts/setup-swarm-lab.sh\`.`);
    }
  }
}

function registryFetch(lab: SwarmLab, path: string, init: RequestInit = {}): Promise<Response> {
  const login = Buffer.from(`${lab.auth.username}:${lab.auth.password}`).toString('base64');
  return fetch(`http://${lab.state.registry.push}${path}`, {
    ...init,
    headers: { authorization: `Basic ${login}`, accept: 'application/vnd.docker.distribution.manifest.v2+json', ...init.headers },
  });
}

export interface LabObjects {
  containers: { node: string; id: string; name: string; state: string }[];
  volumes: { node: string; name: string }[];
  services: { id: string; name: string }[];
  secrets: { id: string; name: string }[];
}

/**
 * Everything on the lab that carries every given label (`key` or `key=value`): containers in any
 * state and volumes on EVERY node, services and secrets through the manager. Volumes also include
 * every dangling one: an anonymous volume left behind by a task container has no labels, and the
 * lab's nodes have no volumes of their own.
 */
export async function labState(...labels: string[]): Promise<LabObjects> {
  const { nodes, manager } = await swarmLab();
  const filters = JSON.stringify({ label: labels });
  const perNode = await Promise.all(
    nodes.map(async (node) => {
      const containers = await node.docker.listContainers({ all: true, filters });
      const labelled = (await node.docker.listVolumes({ filters })).Volumes ?? [];
      const dangling = (await node.docker.listVolumes({ filters: JSON.stringify({ dangling: ['true'] }) })).Volumes ?? [];
      const volumes = [...new Set([...labelled, ...dangling].map((v) => v.Name))];
      return {
        containers: containers.map((c) => ({ node: node.name, id: c.Id, name: c.Names[0] ?? '', state: c.State })),
        volumes: volumes.map((name) => ({ node: node.name, name })),
      };
    }),
  );
  const services = await manager.docker.listServices({ filters });
  const secrets = await manager.docker.listSecrets({ filters });
  return {
    containers: perNode.flatMap((n) => n.containers),
    volumes: perNode.flatMap((n) => n.volumes),
    services: services.map((s) => ({ id: s.ID, name: s.Spec?.Name ?? '' })),
    secrets: secrets.map((s) => ({ id: s.ID, name: s.Spec?.Name ?? '' })),
  };
}

export const EMPTY_LAB: LabObjects = { containers: [], volumes: [], services: [], secrets: [] };

/**
 * Waits until nothing of run `runId` (label `pmt.run=<runId>`) is left on the lab: task containers
 * go asynchronously after their service is removed. Returns what is still there after `timeoutMs`
 * (assert it equals EMPTY_LAB, so a failure lists the leftovers).
 */
export async function waitForLabEmpty(runId: string, timeoutMs = 30_000): Promise<LabObjects> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await labState(`pmt.run=${runId}`);
    const empty = left.containers.length + left.volumes.length + left.services.length + left.secrets.length === 0;
    if (empty || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface PushedLabImage extends LabImage {
  /** Deletes the manifest from the registry and the image from every node (where no container uses it). */
  remove(): Promise<void>;
}

/**
 * Pushes a local image of the main engine into the lab registry (through 127.0.0.1:5006, with the
 * login) and removes the extra tag again; the nodes pull it as `10.231.77.1:5005/REPO:TAG`.
 */
export async function pushLabImage(localImage: string): Promise<PushedLabImage> {
  const lab = await swarmLab();
  const main = new Dockerode();
  const colon = localImage.lastIndexOf(':');
  const [repo, tag] = colon > localImage.lastIndexOf('/') ? [localImage.slice(0, colon), localImage.slice(colon + 1)] : [localImage, 'latest'];
  const pushRef = `${lab.state.registry.push}/${repo}:${tag}`;
  await main.getImage(localImage).tag({ repo: `${lab.state.registry.push}/${repo}`, tag });
  let digest: string;
  try {
    const stream = await main.getImage(pushRef).push({ authconfig: { ...lab.auth, serveraddress: lab.state.registry.push } });
    const events = await new Promise<{ error?: string; aux?: { Digest?: string } }[]>((resolve, reject) =>
      main.modem.followProgress(stream, (error: Error | null, result: { error?: string }[]) => (error ? reject(error) : resolve(result))),
    );
    const failed = events.find((e) => e.error);
    if (failed) throw new Error(`pushing ${localImage} to the swarm lab's registry failed: ${failed.error}`);
    const pushed = events.find((e) => e.aux?.Digest)?.aux?.Digest;
    if (!pushed) throw new Error(`pushing ${localImage} to the swarm lab's registry reported no digest`);
    digest = pushed;
  } finally {
    await main.getImage(pushRef).remove({ noprune: true }).catch(() => undefined);
  }
  // The push recorded REPO@DIGEST on the main engine's image too.
  await main.getImage(`${lab.state.registry.push}/${repo}@${digest}`).remove({ noprune: true }).catch(() => undefined);
  const ref = `${lab.state.registry.pull}/${repo}:${tag}`;
  const pinned = `${lab.state.registry.pull}/${repo}@${digest}`;
  return {
    ref,
    digest,
    pinned,
    async remove() {
      for (const node of lab.nodes) {
        for (const name of [pinned, ref]) await node.docker.getImage(name).remove().catch(() => undefined);
      }
      const answer = await registryFetch(lab, `/v2/${repo}/manifests/${digest}`, { method: 'DELETE' });
      if (!answer.ok && answer.status !== 404) throw new Error(`deleting ${ref} from the swarm lab's registry: HTTP ${answer.status}`);
    },
  };
}

/** A reference in the lab registry's name space that the registry does not hold (tag and pinned form). */
export function missingLabImage(lab: SwarmLab): { ref: string; pinned: string } {
  const repo = `${lab.state.registry.pull}/pmt-test/not-in-registry-${randomBytes(6).toString('hex')}`;
  return { ref: `${repo}:1`, pinned: `${repo}@sha256:${randomBytes(32).toString('hex')}` };
}

/**
 * A fresh image on the main engine: `base` plus one small layer with random bytes, so no node has
 * it and a pull must fetch it. Tag `pmt-test/lab-<random>:1`; `remove()` deletes it locally.
 */
export async function buildUniqueImage(base: string = TestImages.curl): Promise<{ image: string; remove: () => Promise<void> }> {
  const image = `pmt-test/lab-${randomBytes(6).toString('hex')}:1`;
  const dir = await tempDir('pmt-lab-image-');
  try {
    await writeFile(join(dir.path, 'nonce'), randomBytes(64 * 1024));
    await writeFile(join(dir.path, 'Dockerfile'), `FROM ${base}\nCOPY nonce /pmt-nonce\n`);
    await run('docker', ['build', '--quiet', '--network', 'none', '-t', image, dir.path]);
  } finally {
    await dir.remove();
  }
  return { image, remove: () => new Dockerode().getImage(image).remove().then(() => undefined) };
}
