import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Filestore, type PutLimits } from '../../../src/store/filestore.js';
import { startRestEndpoint, type RestEndpoint } from '../../../src/transport/rest-endpoint.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Plugin run 0 is "licensee", run 1 is "scancode". */
export const LICENSEE = { id: 0, plugin: 'licensee', results: ['result.json', 'second.json'] } as const;
export const SCANCODE = { id: 1, plugin: 'scancode', results: ['result.spdx'] } as const;

export interface Fixture {
  readonly parent: string;
  readonly filestore: Filestore;
  readonly endpoint: RestEndpoint;
  readonly licenseeToken: string;
  readonly scancodeToken: string;
  stop(): Promise<void>;
}

export async function startFixture(
  options: { transport?: 'unix' | 'tcp'; limits?: PutLimits; memoryBytes?: number; logger?: Logger } = {},
): Promise<Fixture> {
  const parent = await mkdtemp(join(tmpdir(), 'pmt-rest-test-'));
  // Traversable by other users, so tests can connect as a non-root user.
  await chmod(parent, 0o755);
  const filestore = await Filestore.create({ memoryBytes: options.memoryBytes ?? MiB, tempParent: parent });
  const endpoint = await startRestEndpoint({
    filestore,
    transport: options.transport ?? 'unix',
    limits: options.limits ?? { maxFileBytes: 256 * KiB, maxRunBytes: 384 * KiB },
    tempParent: parent,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const licenseeToken = endpoint.register({ ...LICENSEE }).token;
  const scancodeToken = endpoint.register({ ...SCANCODE }).token;
  return {
    parent,
    filestore,
    endpoint,
    licenseeToken,
    scancodeToken,
    async stop() {
      await endpoint.close();
      await filestore.close();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

/** The three parts a well-behaved client sends for plugin run 0. */
export function licenseeParts(content: Buffer | string, filename = 'result.json') {
  return [
    { name: 'name', value: 'licensee' },
    { name: 'id', value: '0' },
    { name: 'result', filename, content: Buffer.from(content) },
  ];
}
