import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demuxFrames } from '../../../src/docker/log-frames.js';
import { SWARM_CAPABILITY_DROP } from '../../../src/swarm/service-spec.js';
import { StepLogParser, type StepReport } from '../../../src/swarm/step-log.js';
import { newStepNonce } from '../../../src/swarm/step-marker.js';
import { swarmTaskCommand, TASK_TOKEN_PATH } from '../../../src/swarm/task-script.js';
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
  /** Runs once the task's container is running (e.g. closes the endpoint). */
  readonly whileRunning?: (endpoint: RestEndpoint) => Promise<void>;
}

/**
 * Runs the swarm task script as a plain container on the main engine, as a swarm node would run the
 * task: the service spec's capabilities, `--init`, the host network, anonymous volumes at /input and
 * /result, the token as a root-owned mode-0 file at the secret's path — against a real endpoint on
 * 127.0.0.1. The log is followed and parsed while it arrives, as pmt parses service logs. The
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
    const tokenFile = join(temp, 'token');
    await writeFile(tokenFile, token);
    await chmod(tokenFile, 0);
    if (endpoint.address.kind !== 'tcp') throw new Error('tcp expected');
    const nonce = newStepNonce();
    const shell = request.shell ?? '/bin/sh';
    const task = swarmTaskCommand({ shell, cmd: request.cmd, user: request.user, results: request.results, apiUrl: endpoint.address.url, nonce });
    const volume = (target: string) => ({ Type: 'volume', Target: target, VolumeOptions: { NoCopy: true, Labels: labels } }) as unknown as Dockerode.MountSettings;
    const created = await docker.createContainer({
      Image: TestImages.curl,
      Cmd: task.command,
      User: '0',
      Labels: labels,
      Env: Object.entries({ PMT_PLUGIN_NAME: 'task', PMT_PLUGIN_ID: '0', PMT_INPUT_DIR: '/input', PMT_RESULT_DIR: '/result', ...task.env }).map(([k, v]) => `${k}=${v}`),
      HostConfig: {
        NetworkMode: 'host',
        Init: true,
        CapDrop: [...SWARM_CAPABILITY_DROP],
        Mounts: [volume('/input'), volume('/result'), { Type: 'bind', Source: tokenFile, Target: TASK_TOKEN_PATH, ReadOnly: true }],
      },
    });
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
