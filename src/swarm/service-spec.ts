import { INPUT_DIR, pluginEnv, RESULT_DIR, runLabels, type RunIdentity } from '../agent/container-spec.js';
import type { ContainerLimits } from '../docker/container-runtime.js';
import { Labels } from '../docker/labels.js';
import type { SwarmMount, SwarmServiceSpec } from '../docker/swarm-runtime.js';
import type { PluginRun } from '../transport/result-collector.js';

/** Where the task finds its REST token: a swarm secret, never an environment variable (inspect shows those). */
export const TOKEN_SECRET_FILE = 'pmt-token';

/** The task's main process and what it needs to know: swarm-task's `swarmTaskCommand` makes both. */
export interface SwarmTaskSetup {
  /** `[shell, '-c', TASK_SCRIPT, 'pmt-task', …]`. */
  readonly command: readonly string[];
  /** PMT_API_URL, PMT_STEP_NONCE, PMT_CMD, … — never the token. */
  readonly env: Readonly<Record<string, string>>;
}

export interface ServiceSpecRequest {
  readonly run: PluginRun;
  readonly identity: RunIdentity;
  /** `name@sha256:…`: every node runs the very image the manager resolved. */
  readonly pinnedImage: string;
  readonly limits: ContainerLimits;
  /** The run's token secret (see secretName). */
  readonly secret: { readonly id: string; readonly name: string };
  readonly task: SwarmTaskSetup;
  /** SwarmPlacementTimeout: written on the service for the sweeps of other runs (see swarm-liveness.ts). */
  readonly placementTimeoutMs: number;
}

/** The task has nothing to save when stopped: its pmt is gone or done with it. */
const STOP_GRACE_NS = 1e9;

/**
 * Capabilities the task container never needs. The rest of Docker's default set stays because the
 * task script (root) fills /input with owned files, chmods /result and drops privileges per step
 * (chown, dac_override, fowner, setuid, setgid, setpcap …); every step runs under `setpriv` with a
 * reduced bounding set and no-new-privs. On the host network, raw sockets and low ports are the
 * host's: no step may have them.
 */
export const SWARM_CAPABILITY_DROP = ['CAP_NET_RAW', 'CAP_NET_BIND_SERVICE', 'CAP_MKNOD', 'CAP_AUDIT_WRITE', 'CAP_SYS_CHROOT'] as const;

/** `pmt-<runId>-<plugin index>`: unique per run, and tells a reader of `docker service ls` whose it is. */
export function serviceName(run: PluginRun, identity: RunIdentity): string {
  return `pmt-${identity.runId}-${run.id}`;
}

export function secretName(run: PluginRun, identity: RunIdentity): string {
  return `${serviceName(run, identity)}-token`;
}

/**
 * One plugin run as a one-shot swarm service: one task, never restarted, on the host network (it reaches pmt's
 * REST endpoint over TCP), labelled like a local container (service, task containers, volumes),
 * the plugin's limits as task limits and what its entry asks for as reservations, its placement
 * constraints, the REST token as a secret file. /input and /result are anonymous volumes, gone with
 * the task's container. Pure, so `--dry-run` shows exactly what a run would create.
 */
export function swarmServiceSpec(request: ServiceSpecRequest): SwarmServiceSpec {
  const { run, identity, limits, task } = request;
  const { plugin } = run;
  const labels = runLabels(run, identity);
  const volume = (target: string): SwarmMount => ({ Type: 'volume', Target: target, VolumeOptions: { Labels: labels } });
  // Empty, whatever the image holds at /input (as a local bind hides it): the task fills it from pmt.
  const inputVolume: SwarmMount = { Type: 'volume', Target: INPUT_DIR, VolumeOptions: { Labels: labels, NoCopy: true } };
  const env: Record<string, string> = { ...pluginEnv(run, identity), ...task.env };
  return {
    Name: serviceName(run, identity),
    Labels: { ...labels, [Labels.placementWait]: String(request.placementTimeoutMs) },
    TaskTemplate: {
      ContainerSpec: {
        Image: request.pinnedImage,
        Command: [...task.command],
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        // The task script starts as root and runs each step as the plugin's user (or the image's).
        User: '0',
        Labels: labels,
        // A read-only root gets a writable /tmp like locally; a volume, not tmpfs: a swarm tmpfs is
        // noexec, which breaks scanners that unpack a helper into /tmp.
        Mounts: [inputVolume, volume(RESULT_DIR), ...(plugin.readOnlyRootfs ? [volume('/tmp')] : [])],
        ReadOnly: plugin.readOnlyRootfs,
        CapabilityDrop: [...SWARM_CAPABILITY_DROP],
        // Mode 0: only the task script (root with the default capabilities, i.e. DAC override) reads
        // it; a root plugin step (no capabilities) would read a 0400 file it owns.
        Secrets: [{ SecretID: request.secret.id, SecretName: request.secret.name, File: { Name: TOKEN_SECRET_FILE, UID: '0', GID: '0', Mode: 0 } }],
        StopGracePeriod: STOP_GRACE_NS,
        Init: true,
      },
      Resources: {
        Limits: {
          MemoryBytes: limits.memoryBytes,
          ...(limits.cpus > 0 ? { NanoCPUs: Math.round(limits.cpus * 1e9) } : {}),
          Pids: limits.pids,
        },
        // Only what the entry itself asks for: the config's defaults are caps, and reserving them
        // for every plugin would keep tasks waiting for room they never use.
        Reservations: {
          ...(plugin.resources.memoryBytes !== undefined ? { MemoryBytes: plugin.resources.memoryBytes } : {}),
          ...(plugin.resources.cpus ? { NanoCPUs: Math.round(plugin.resources.cpus * 1e9) } : {}),
        },
      },
      RestartPolicy: { Condition: 'none' },
      Placement: { Constraints: [...(plugin.constraints ?? [])] },
      Networks: [{ Target: 'host' }],
    },
    // One replica that is never restarted: a one-shot task. Not the `replicated-job` mode, which
    // Docker 20.10 has a bug in: removing a job service leaves its tasks in the manager's store and
    // their containers and volumes on the nodes (moby/moby#42789, #44312; fixed in Moby 24).
    Mode: { Replicated: { Replicas: 1 } },
  };
}
