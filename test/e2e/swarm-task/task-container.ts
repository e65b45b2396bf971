import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demuxFrames } from '../../../src/docker/log-frames.js';
import { secretName, swarmServiceSpec } from '../../../src/swarm/service-spec.js';
import type { SwarmServiceSpec } from '../../../src/docker/swarm-runtime.js';
import { PLUGIN_DEFAULTS } from '../../support/plugin-defaults.js';
import { StepLogParser, type StepReport } from '../../../src/swarm/step-log.js';
import { newStepNonce } from '../../../src/swarm/step-marker.js';
import { swarmTaskCommand } from '../../../src/swarm/task-script.js';
import { Filestore } from '../../../src/store/filestore.js';
import { startRestEndpoint, type RestEndpoint } from '../../../src/transport/rest-endpoint.js';
import { docker } from '../../support/engine-state.js';
import { TEST_LABEL, TestImages } from '../../support/test-images.js';

/** What a swarm task run on the main engine left: its steps as pmt reads them, its exit, its results. */
export interface TaskRun {
  readonly exitCode: number;
  readonly steps: readonly StepReport[];
  readonly unfinished: readonly StepReport[];
  readonly outside: { readonly stdout: string; readonly stderr: string };
  readonly results: ReadonlyMap<string, Buffer>;
  /** Milliseconds from the hook's end (or the start) to the container's exit. */
  readonly exitedAfterMs: number;
  /** The run's label value: nothing carrying `TEST_LABEL=<it>` may be left. */
  readonly label: string;
}

export interface TaskRequest {
  readonly input: string;
  readonly cmd: string;
  readonly results: readonly string[];
  readonly user?: string;
  readonly shell?: string;
  /** Default TestImages.curl. */
  readonly image?: string;
  /** Mount /input as a node would if the spec forgot NoCopy. */
  readonly copyImageInput?: boolean;
  /** Runs once the task's container is running (e.g. closes the endpoint). */
  readonly whileRunning?: (endpoint: RestEndpoint) => Promise<void>;
}

/**
 * Runs a plugin's swarm task as a plain container on the main engine, made from the real service
 * spec (swarmServiceSpec with swarmTaskCommand) as a swarm node would make it — against a real
 * endpoint on 127.0.0.1. The log is followed and parsed while it arrives, as pmt parses service logs. The
 * container and its volumes are removed before this returns.
 */
export async function runTask(request: TaskRequest): Promise<TaskRun> {
  const label = `swarm-task-${randomBytes(6).toString('hex')}`;
  const labels = { [TEST_LABEL]: label };
  const temp = await mkdtemp(join(tmpdir(), 'pmt-swarm-task-'));
  const filestore = await Filestore.create({ memoryBytes: 4 * 1024 * 1024, tempParent: temp });
  const endpoint = await startRestEndpoint({ filestore, transport: 'tcp', limits: { maxFileBytes: 64 * 1024 * 1024, maxRunBytes: 128 * 1024 * 1024 }, tempParent: temp });
  let container: Dockerode.Container | undefined;
  try {
    const { token } = endpoint.register({ id: 0, plugin: 'task', results: request.results, input: { dir: request.input, respectGitignore: false, exclude: [] } });
    if (endpoint.address.kind !== 'tcp') throw new Error('tcp expected');
    const nonce = newStepNonce();
    const shell = request.shell ?? '/bin/sh';
    const plugin = { ...PLUGIN_DEFAULTS, name: 'task', version: '1', image: request.image ?? TestImages.curl, shell, cmd: request.cmd, results: request.results, importer: 'task', user: request.user };
    const run = { id: 0, plugin };
    const identity = { runId: label, pid: process.pid, host: 'test' };
    const task = swarmTaskCommand({ shell, cmd: request.cmd, user: request.user, results: request.results, apiUrl: endpoint.address.url, nonce });
    const spec = swarmServiceSpec({
      run,
      identity,
      pinnedImage: request.image ?? TestImages.curl,
      limits: { memoryBytes: 256 * 1024 * 1024, cpus: 1, pids: 256 },
      secret: { id: 'unused', name: secretName(run, identity) },
      task,
      placementTimeoutMs: 60_000,
    });
    const created = await docker.createContainer(containerLike(spec, await tokenFile(temp, token, spec), labels, request.copyImageInput ?? false));
    container = created;
    await created.start();
    const parser = new StepLogParser(nonce);
    const steps: StepReport[] = [];
    const logs = (await created.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
    const reading = (async () => {
      for await (const frame of demuxFrames(logs as AsyncIterable<Buffer>)) steps.push(...parser.push(frame));
    })();
    await request.whileRunning?.(endpoint);
    const since = Date.now();
    const { StatusCode } = (await created.wait()) as { StatusCode: number };
    const exitedAfterMs = Date.now() - since;
    await reading;
    const { unfinished, outside } = parser.end();
    const results = new Map<string, Buffer>();
    for (const stored of filestore.list(0)) results.set(stored.name, await readAll(filestore, stored.name));
    return { exitCode: StatusCode, steps, unfinished, outside, results, exitedAfterMs, label };
  } finally {
    await container?.remove({ force: true, v: true });
    await endpoint.close();
    await filestore.close();
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * The container a swarm node makes of the service spec's task (swarmkit's executor does the same
 * mapping): command, env, user, mounts (NoCopy kept), capabilities, init, read-only root, the
 * secret as a file of its mode under /run/secrets — with the test's label instead of pmt's run
 * labels (pmt's reaper must not mistake it for a run's), on the host network, with the limits.
 */
function containerLike(spec: SwarmServiceSpec, secretFile: string, labels: Record<string, string>, copyImageInput: boolean): Dockerode.ContainerCreateOptions {
  const container = spec.TaskTemplate.ContainerSpec;
  const secret = container.Secrets[0]!;
  const limits = spec.TaskTemplate.Resources.Limits;
  return {
    Image: container.Image,
    Cmd: [...container.Command],
    Env: [...container.Env],
    User: container.User,
    Labels: labels,
    HostConfig: {
      NetworkMode: 'host',
      Init: container.Init,
      ReadonlyRootfs: container.ReadOnly,
      CapDrop: [...(container.CapabilityDrop ?? [])],
      Memory: limits.MemoryBytes,
      PidsLimit: limits.Pids,
      Mounts: [
        ...container.Mounts.map(
          (m) => ({ Type: m.Type, Target: m.Target, VolumeOptions: { NoCopy: !copyImageInput && (m.VolumeOptions?.NoCopy ?? false), Labels: labels } }) as unknown as Dockerode.MountSettings,
        ),
        { Type: 'bind', Source: secretFile, Target: `/run/secrets/${secret.File.Name}`, ReadOnly: true },
      ],
    },
  };
}

/** The token as the secret's file: owner and mode as the spec says. */
async function tokenFile(temp: string, token: string, spec: SwarmServiceSpec): Promise<string> {
  const { File } = spec.TaskTemplate.ContainerSpec.Secrets[0]!;
  const path = join(temp, 'token');
  await writeFile(path, token);
  await chown(path, Number(File.UID), Number(File.GID));
  await chmod(path, File.Mode);
  return path;
}

async function readAll(filestore: Filestore, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of filestore.open(0, name)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The step's stdout, or a failure naming the step and what it printed. */
export function stepOutput(run: TaskRun, step: string): string {
  const found = [...run.steps, ...run.unfinished].find((s) => s.step === step);
  if (!found) throw new Error(`no step ${step}; outside: ${JSON.stringify(run.outside)}`);
  return found.stdout;
}
