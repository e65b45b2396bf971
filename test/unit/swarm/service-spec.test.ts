import { describe, expect, it } from 'vitest';
import type { Plugin } from '../../../src/registry/plugin.js';
import { secretName, serviceName, swarmServiceSpec, TOKEN_SECRET_FILE, type ServiceSpecRequest } from '../../../src/swarm/service-spec.js';
import { PLUGIN_DEFAULTS } from '../../support/plugin-defaults.js';

const plugin: Plugin = {
  ...PLUGIN_DEFAULTS,
  name: 'licensee',
  version: '1',
  image: 'reg.test:5000/pmt/licensee:9',
  shell: '/bin/bash',
  cmd: 'licensee detect /input > /result/out.json',
  results: ['out.json'],
  importer: 'licensee',
  env: { SCAN_MODE: 'deep' },
};
const identity = { runId: 'abc123def456', pid: 4242, host: 'build-7' };
const digest = 'reg.test:5000/pmt/licensee@sha256:' + 'a'.repeat(64);

function request(overrides: Partial<Plugin> = {}): ServiceSpecRequest {
  const run = { id: 3, plugin: { ...plugin, ...overrides } };
  return {
    run,
    identity,
    pinnedImage: digest,
    limits: { memoryBytes: 512 * 1024 * 1024, cpus: 1.5, pids: 256 },
    secret: { id: 'sec-id-1', name: secretName(run, identity) },
    task: { command: ['/bin/bash', '-c', 'TASK SCRIPT', 'pmt-task'], env: { PMT_API_URL: 'http://10.0.0.1:4711', PMT_STEP_NONCE: 'ff' } },
    placementTimeoutMs: 90_000,
  };
}

describe('swarmServiceSpec', () => {
  it('makes one never-restarted job on the host network, pinned to the digest, labelled like a local container', () => {
    const spec = swarmServiceSpec(request());
    const labels = { 'pmt.run': 'abc123def456', 'pmt.plugin': 'licensee', 'pmt.pid': '4242', 'pmt.host': 'build-7' };
    expect(spec.Name).toBe('pmt-abc123def456-3');
    // The service also says how long its run waits for placement, for other runs' sweeps.
    expect(spec.Labels).toEqual({ ...labels, 'pmt.placement-wait-ms': '90000' });
    // Not replicated-job: Docker 20.10 leaves a removed job's task containers on the nodes.
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: 'none' });
    expect(spec.TaskTemplate.Networks).toEqual([{ Target: 'host' }]);
    const container = spec.TaskTemplate.ContainerSpec;
    expect(container.Image).toBe(digest);
    expect(container.Command).toEqual(['/bin/bash', '-c', 'TASK SCRIPT', 'pmt-task']);
    expect(container.User).toBe('0');
    expect(container.Labels).toEqual(labels);
    expect(container.Mounts).toEqual([
      { Type: 'volume', Target: '/input', VolumeOptions: { Labels: labels, NoCopy: true } },
      { Type: 'volume', Target: '/result', VolumeOptions: { Labels: labels } },
    ]);
    expect(container.ReadOnly).toBe(false);
    expect(container.CapabilityDrop).toContain('CAP_NET_RAW');
  });

  it('passes the plugin env, the PMT_ variables and the task env, and the token only as a secret file', () => {
    const spec = swarmServiceSpec(request());
    const container = spec.TaskTemplate.ContainerSpec;
    expect(container.Env).toEqual([
      'SCAN_MODE=deep',
      'PMT_PLUGIN_NAME=licensee',
      'PMT_PLUGIN_ID=3',
      'PMT_RUN_ID=abc123def456',
      'PMT_INPUT_DIR=/input',
      'PMT_RESULT_DIR=/result',
      'PMT_API_URL=http://10.0.0.1:4711',
      'PMT_STEP_NONCE=ff',
    ]);
    expect(container.Env.some((e) => e.startsWith('PMT_TOKEN'))).toBe(false);
    expect(container.Secrets).toEqual([
      { SecretID: 'sec-id-1', SecretName: 'pmt-abc123def456-3-token', File: { Name: TOKEN_SECRET_FILE, UID: '0', GID: '0', Mode: 0 } },
    ]);
  });

  it('limits the task like a local container and reserves only what the entry itself asks for', () => {
    const defaults = swarmServiceSpec(request()).TaskTemplate.Resources;
    expect(defaults.Limits).toEqual({ MemoryBytes: 512 * 1024 * 1024, NanoCPUs: 1_500_000_000, Pids: 256 });
    expect(defaults.Reservations).toEqual({});
    const asked = swarmServiceSpec(request({ resources: { memoryBytes: 2 ** 30, cpus: 2, pids: undefined } })).TaskTemplate.Resources;
    expect(asked.Reservations).toEqual({ MemoryBytes: 2 ** 30, NanoCPUs: 2_000_000_000 });
  });

  it('leaves the CPU limit out when there is none', () => {
    const spec = swarmServiceSpec({ ...request(), limits: { memoryBytes: 1024, cpus: 0, pids: 64 } });
    expect(spec.TaskTemplate.Resources.Limits).toEqual({ MemoryBytes: 1024, Pids: 64 });
  });

  it('passes the entry constraints through and gives a read-only root a writable /tmp volume', () => {
    const spec = swarmServiceSpec(request({ constraints: ['node.labels.scanner==big', 'node.role==worker'], readOnlyRootfs: true }));
    expect(spec.TaskTemplate.Placement.Constraints).toEqual(['node.labels.scanner==big', 'node.role==worker']);
    expect(spec.TaskTemplate.ContainerSpec.ReadOnly).toBe(true);
    expect(spec.TaskTemplate.ContainerSpec.Mounts.map((m) => m.Target)).toEqual(['/input', '/result', '/tmp']);
    expect(swarmServiceSpec(request()).TaskTemplate.Placement.Constraints).toEqual([]);
  });

  it('names the secret after the service', () => {
    const run = { id: 0, plugin };
    expect(secretName(run, identity)).toBe(`${serviceName(run, identity)}-token`);
  });
});
