import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { REPO_ROOT } from './fixtures.js';

const run = promisify(execFile);

/**
 * The second dockerd of scripts/start-remote-engine.sh: loopback TCP, its own data root, so pmt
 * must treat it as an engine on another machine. Each test file that needs it calls
 * ensureRemoteEngine() in beforeAll: ~0.1 s when it already runs, ~5 s for a cold start (the script
 * serialises concurrent starts). It keeps running after the tests for the next run; stop it with
 * `bash scripts/start-remote-engine.sh stop`.
 */
export const REMOTE_ENGINE_PORT = Number(process.env.PMT_REMOTE_ENGINE_PORT ?? 23750);
export const REMOTE_DOCKER_HOST = `tcp://127.0.0.1:${REMOTE_ENGINE_PORT}`;
const SCRIPT = join(REPO_ROOT, 'scripts', 'start-remote-engine.sh');

export async function ensureRemoteEngine(): Promise<void> {
  try {
    await run('bash', [SCRIPT, 'start'], { env: { ...process.env, PMT_REMOTE_ENGINE_PORT: String(REMOTE_ENGINE_PORT) } });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`The second Docker engine for the remote-engine tests did not start (${SCRIPT}):\n${stderr || String(error)}`);
  }
}

export async function stopRemoteEngine(): Promise<void> {
  await run('bash', [SCRIPT, 'stop'], { env: { ...process.env, PMT_REMOTE_ENGINE_PORT: String(REMOTE_ENGINE_PORT) } });
}

/** Reads the second engine's state independently of pmt's own adapter. */
export function remoteDocker(): Dockerode {
  return new Dockerode({ host: '127.0.0.1', port: REMOTE_ENGINE_PORT, protocol: 'http' });
}

/** Containers and volumes on the second engine carrying every given label (`key` or `key=value`). */
export async function remoteLeftovers(...labels: string[]): Promise<{ containers: string[]; volumes: string[] }> {
  const docker = remoteDocker();
  const containers = await docker.listContainers({ all: true, filters: { label: labels } });
  const volumes = (await docker.listVolumes({ filters: { label: labels } })).Volumes ?? [];
  return { containers: containers.map((c) => c.Id), volumes: volumes.map((v) => v.Name) };
}
