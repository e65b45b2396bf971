import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SwarmLab } from './swarm-lab.js';
import { TestImages } from './test-images.js';

/** A registry entry (its file keys) of a test plugin for the swarm lab. */
export interface SwarmPluginEntry {
  name: string;
  cmd: string;
  docker_image?: string;
  results?: string[];
  constraints?: string[];
  resources?: { memory?: string; cpus?: number };
  timeout?: string;
  user?: string;
  read_only_rootfs?: boolean;
  shell?: string;
}

/** An entry whose image (by default the curl test image) comes from the lab's registry. */
export function labPlugin(lab: SwarmLab, entry: SwarmPluginEntry): Record<string, unknown> {
  return {
    version: '1.0.0',
    shell: '/bin/sh',
    results: ['result.txt'],
    ...entry,
    docker_image: entry.docker_image ?? lab.image(TestImages.curl).ref,
  };
}

export async function writeSwarmRegistry(dir: string, name: string, plugins: Record<string, unknown>[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, stringify({ version: 'R1.0', plugins }));
  return path;
}

/** pmt's environment for the lab: its manager, and the registry login (as RemoteRepoUser/Pass). */
export function swarmEnv(lab: SwarmLab): NodeJS.ProcessEnv {
  return { DOCKER_HOST: lab.manager.dockerHost, REMOTEREPO_USER: lab.auth.username, REMOTEREPO_PASS: lab.auth.password };
}
