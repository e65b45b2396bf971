import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/cli-io.js';
import { pullOnSwarm } from '../../../src/cli/swarm-pull.js';
import type { SwarmRuntime } from '../../../src/docker/swarm-runtime.js';
import type { Plugin } from '../../../src/registry/plugin.js';
import { fakeSwarmNode } from '../../support/fake-swarm-node.js';

const node = fakeSwarmNode;

function captured(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('pmt pull --swarm', () => {
  it('fails every image when no node takes tasks, instead of calling it pulled on every node', async () => {
    const created: string[] = [];
    const swarm = {
      swarmState: async () => ({ manager: true, localState: 'active', nodeAddr: '10.0.0.1', nodeId: 'a' }),
      listNodes: async () => [node('a', 'ready', 'drain'), node('b', 'down', 'active')],
      createService: async (spec: { Name: string }) => (created.push(spec.Name), 'svc'),
      removeService: async () => undefined,
    } as unknown as SwarmRuntime;
    const stdout = captured();
    const stderr = captured();
    const io = { stdout: stdout.stream, stderr: stderr.stream, env: {}, cwd: '/' } as unknown as CliIO;
    const plugins = [
      { name: 'one', image: 'reg:5000/pmt/one:1', shell: '/bin/sh' },
      { name: 'two', image: 'reg:5000/pmt/two:1', shell: '/bin/sh' },
    ] as unknown as Plugin[];
    const counts = await pullOnSwarm(plugins, {
      io,
      engine: { endpoint: 'unix:///manager.sock', swarm: () => swarm, inspectDistribution: async () => ({ available: true, digest: 'sha256:abc' }) },
      resolveAuth: async () => ({ auth: undefined, source: 'none' }),
      timeoutMs: 1_000,
      signal: new AbortController().signal,
    });
    expect(counts).toEqual({ pulled: 0, failed: 2 });
    expect(created).toEqual([]);
    expect(stderr.text()).toBe(
      'pmt: no node of the swarm takes tasks (2 node(s), none ready and active), so none can pull reg:5000/pmt/one:1, reg:5000/pmt/two:1 — bring a node up, or `docker node update --availability active NODE`\n',
    );
  });
});
