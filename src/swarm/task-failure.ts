import type { SwarmServiceSpec, SwarmTask } from '../docker/swarm-runtime.js';
import { ExitCode, PmtError } from '../errors.js';
import { formatBytes } from '../store/format-bytes.js';

/** What a task asked the scheduler for, as a placement failure names it. */
export function describeAsk(spec: SwarmServiceSpec): string {
  const { Reservations, Limits } = spec.TaskTemplate.Resources;
  const parts: string[] = [];
  if (Reservations.MemoryBytes !== undefined) parts.push(`a reservation of ${formatBytes(Reservations.MemoryBytes)} memory`);
  if (Reservations.NanoCPUs !== undefined) parts.push(`a reservation of ${Reservations.NanoCPUs / 1e9} CPUs`);
  if (Limits.MemoryBytes !== undefined) parts.push(`a memory limit of ${formatBytes(Limits.MemoryBytes)}`);
  const constraints = spec.TaskTemplate.Placement.Constraints;
  if (constraints.length > 0) parts.push(`constraints ${constraints.join(', ')}`);
  return parts.join(', ') || 'no resources';
}

/** Where a failure happened: "on node n2", or before any node had the task. */
function onNode(node: string): string {
  return node ? ` on node ${node}` : '';
}

/**
 * The one-line error of a task that ended without its script's own account (no step reported its
 * end): the engine's words, with the node. A node that cannot pull the pinned image leaves the task
 * `rejected` with "No such image" (Docker 20.10 pulls, and on failure tries the create anyway).
 */
export function taskFailure(task: SwarmTask, node: string, unseen?: { readonly step: string; readonly afterSteps: boolean }): PmtError {
  const err = task.err || task.message || `task ended in state ${task.state}`;
  if (unseen && task.state === 'complete') {
    // The script ran to its end (exit 0), so it printed the step's markers: pmt could not read them.
    return new PmtError(`the task completed${onNode(node)}, but pmt did not see its ${unseen.step} step end in the service log`, {
      origin: 'docker',
      exitCode: ExitCode.pluginFailed,
      hint: "pmt reads each step from the service log through the manager, so the node's logging driver must let its engine read logs back (json-file, local, journald, or any driver with dual logging on); pmt's own log says why it could not follow it",
    });
  }
  if (task.state === 'rejected' && /no such image|pull access denied|manifest unknown|not found|unauthorized|denied/i.test(err)) {
    return new PmtError(`image pull failed${onNode(node)}: ${err}`, {
      origin: 'docker',
      exitCode: ExitCode.pluginFailed,
      hint: "the node must reach the image's registry (listed as insecure registry there when it has no TLS) with the credentials pmt sends (RemoteRepoUser/RemoteRepoPass or docker login); `pmt doctor --swarm` checks that each node pulls every plugin image",
    });
  }
  if (task.state === 'rejected') {
    return new PmtError(`task rejected${onNode(node)}: ${err}`, { origin: 'docker', exitCode: ExitCode.pluginFailed, hint: "the node's engine refused the task's container; its daemon log says more" });
  }
  if (task.state === 'shutdown' || task.state === 'remove' || task.state === 'orphaned') {
    return new PmtError(`the task was stopped from outside pmt${onNode(node)} (state ${task.state}: ${err})`, {
      origin: 'docker',
      exitCode: ExitCode.pluginFailed,
      hint: 'a person, a cleanup job or a node going down acted on a service labelled pmt.run; run the scan again',
    });
  }
  const code = task.exitCode === undefined ? '' : ` (exit code ${task.exitCode})`;
  const when = unseen?.afterSteps ? `during its ${unseen.step} step` : 'before its script reported a step';
  return new PmtError(`the task failed${onNode(node)} ${when}${code}: ${err}`, {
    origin: task.exitCode === 126 || task.exitCode === 127 ? 'plugin' : 'docker',
    exitCode: ExitCode.pluginFailed,
    hint: "the image needs the plugin's shell, and swarm mode also needs curl, tar and setpriv in it; the plugin's log has what the task printed",
  });
}
