import { formatBytes } from '../store/format-bytes.js';
import type { PluginPlan } from '../engine/plan-scan.js';
import { escapeControlsByLine } from '../log/escape-controls.js';
import { maskCredentials } from '../log/mask-credentials.js';

/** `pmt scan --dry-run` as text: one block per plugin, everything a run would create and execute. */
export function planToText(plans: readonly PluginPlan[], engineNote: string): string {
  const blocks = plans.map((plan) => {
    const c = plan.container;
    const lines = [
      `plugin ${plan.plugin}`,
      `  image:      ${plan.image}`,
      `  input:      ${plan.input}`,
      `  mounts:     ${[...c.binds.map((b) => `${b.hostPath} → ${b.containerPath} (${b.readOnly ? 'ro' : 'rw'})`), ...c.volumes.map((v) => `new volume → ${v}`)].join('; ')}`,
      `  network:    ${c.networkMode}`,
      `  limits:     memory ${formatBytes(c.limits.memoryBytes)}, cpus ${c.limits.cpus || 'no limit'}, pids ${c.limits.pids}, timeout ${plan.timeout}`,
      `  security:   all capabilities dropped, no-new-privileges, init as PID 1${c.readOnlyRootfs ? ', read-only root filesystem, tmpfs /tmp' : ''}${c.user ? `, user ${c.user}` : ''}`,
      `  labels:     ${Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(' ')}`,
      `  env:        ${Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ')}`,
      `  main:       ${c.command.join(' ')} (kept alive on its stdin; runs the commands below as its children)`,
      '  commands:',
      ...plan.commands.map((command, i) => `    ${i + 1}. ${command}`),
      `  results:    ${plan.collect}`,
      `  cache:      ${plan.cache}`,
    ];
    return lines.join('\n');
  });
  return planText(blocks.join('\n\n'), engineNote);
}

/** A plan's blocks under the engine note, as printed (also the swarm plan's). */
export function planText(blocks: string, engineNote: string): string {
  // The registry's cmd, env and paths are shown as written, control characters escaped, passwords in URLs masked.
  const text = escapeControlsByLine(`${engineNote}\n\n${blocks}`);
  return `${maskCredentials(text)}\n\nDry run: nothing was created, pulled or executed.\n`;
}
