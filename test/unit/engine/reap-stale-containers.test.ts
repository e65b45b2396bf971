import { describe, expect, it } from 'vitest';
import type { ContainerRuntime, ContainerSummary, VolumeRuntime } from '../../../src/docker/container-runtime.js';
import { reapStaleContainers } from '../../../src/engine/reap-stale-containers.js';
import { silentLogger } from '../../../src/log/logger.js';

/** Only the two calls the reaper makes; the real-engine case is in test/e2e/scan-signals.test.ts. */
function fakeRuntime(containers: ContainerSummary[]): { runtime: ContainerRuntime; removed: string[]; filters: unknown[] } {
  const removed: string[] = [];
  const filters: unknown[] = [];
  const runtime = {
    listContainers: async (labels: Record<string, string | undefined>) => {
      filters.push(labels);
      return containers.filter((c) => c.labels['pmt.host'] === labels['pmt.host']);
    },
    removeContainer: async (id: string) => {
      removed.push(id);
    },
  } as unknown as ContainerRuntime;
  return { runtime, removed, filters };
}

const container = (id: string, pid: string, host = 'here'): ContainerSummary => ({
  id,
  state: 'running',
  labels: { 'pmt.run': 'r', 'pmt.pid': pid, 'pmt.host': host },
});

describe('reapStaleContainers', () => {
  it('removes containers of dead pmt processes on this host only', async () => {
    const { runtime, removed, filters } = fakeRuntime([container('dead', '111'), container('alive', '222'), container('other-host', '111', 'there'), container('garbled', 'x')]);
    const count = await reapStaleContainers(runtime, 'here', (pid) => pid === 222, silentLogger());
    expect(filters).toEqual([{ 'pmt.pid': undefined, 'pmt.host': 'here' }]);
    expect(removed.sort()).toEqual(['dead', 'garbled']);
    expect(count).toBe(2);
  });
});

describe('reapStaleContainers with input volumes (remote engines)', () => {
  it('removes the volumes of dead pmt processes after their containers, and keeps the others', async () => {
    const order: string[] = [];
    const runtime = {
      listContainers: async () => [container('dead-c', '111')],
      removeContainer: async (id: string) => {
        order.push(`container ${id}`);
      },
    } as unknown as ContainerRuntime;
    const volumes = {
      listVolumes: async () => [
        { name: 'dead-v', labels: { 'pmt.pid': '111', 'pmt.host': 'here' } },
        { name: 'live-v', labels: { 'pmt.pid': '222', 'pmt.host': 'here' } },
      ],
      removeVolume: async (name: string) => {
        order.push(`volume ${name}`);
      },
    } as unknown as VolumeRuntime;
    await reapStaleContainers(runtime, 'here', (pid) => pid === 222, silentLogger(), volumes);
    expect(order).toEqual(['container dead-c', 'volume dead-v']);
  });
});
