import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { TestProject } from 'vitest/node';
import { TEST_IMAGE_CONTEXTS, TestImages } from './test-images.js';

const run = promisify(execFile);

declare module 'vitest' {
  export interface ProvidedContext {
    dockerVersion: string;
  }
}

/**
 * Every test run needs a real Docker engine: without one the run fails here, with CI set or not,
 * instead of passing by skipping. Test images are built once from the local base image.
 */
export default async function setup(project: TestProject): Promise<void> {
  const docker = new Dockerode();
  let version: string;
  try {
    version = (await docker.version()).Version;
  } catch (error) {
    throw new Error(
      `No Docker engine answers (${(error as Error).message}). The tests run against a real engine: start one with \`bash scripts/setup-engine.sh\` (or use \`npm run test:all\`).`,
    );
  }
  try {
    await docker.getImage(TestImages.shell).inspect();
  } catch {
    throw new Error(`The base image ${TestImages.shell} is missing; \`bash scripts/setup-engine.sh\` makes it offline.`);
  }
  for (const [tag, context] of Object.entries(TEST_IMAGE_CONTEXTS)) {
    // docker build's cache makes this a no-op after the first run.
    await run('docker', ['build', '--quiet', '--network', 'host', '-t', tag, context], { maxBuffer: 16 * 1024 * 1024 });
  }
  project.provide('dockerVersion', version);
}
