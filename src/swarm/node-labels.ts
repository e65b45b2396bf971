import { hostname } from 'node:os';
import { Labels } from '../docker/labels.js';
import type { SwarmNode } from '../docker/swarm-runtime.js';
import { formatBytes } from '../store/format-bytes.js';

/** Marks the services `pmt pull --swarm` and `pmt doctor --swarm` make (besides pmt.run, pmt.pid, pmt.host). */
export const PULL_LABEL = 'pmt.pull';

/** The labels of a pull check's service and task containers: a run id of its own, who made it, and why. */
export function pullCheckLabels(runId: string, purpose: string): Record<string, string> {
  return { [Labels.run]: runId, [Labels.pid]: String(process.pid), [Labels.host]: hostname(), [PULL_LABEL]: purpose };
}

/** `pmtlab-n1: manager, ready, active, Docker 20.10.24, 2 CPUs, 7.8 GiB`. */
export function describeNode(node: SwarmNode): string {
  const engine = node.engineVersion ? `, Docker ${node.engineVersion}` : '';
  const cpus = node.cpus > 0 ? `, ${Math.round(node.cpus * 100) / 100} CPUs` : '';
  const memory = node.memoryBytes > 0 ? `, ${formatBytes(node.memoryBytes)}` : '';
  return `${node.hostname || node.id}: ${node.role}, ${node.state}, ${node.availability}${engine}${cpus}${memory}`;
}
