import type { ExecResult } from '../docker/container-runtime.js';
import type { Plugin } from '../registry/plugin.js';
import type { Finding } from './finding.js';

/** How `curl -V` went in a throwaway container of the plugin's image. */
export type CurlProbe =
  | { readonly kind: 'ran'; readonly result: ExecResult }
  /** The probe could not run to its end (e.g. no answer in time): for a scan that is the same as no curl. */
  | { readonly kind: 'exec-failed'; readonly reason: string }
  /** No container of the image started or kept running, so a scan could not run the plugin at all. */
  | { readonly kind: 'not-started'; readonly reason: string; readonly hint?: string };

/** Whether a scan's compatibility check passes: the plugin's shell runs pmt's commands in its image. */
export function shellFinding(plugin: Plugin, probe: CurlProbe): Finding {
  const base = { check: 'shell', plugin: plugin.name } as const;
  if (probe.kind === 'not-started') {
    return { ...base, status: 'fail', message: `${plugin.image}: ${probe.reason}`, hint: probe.hint ?? `check that the image has the plugin's shell ${plugin.shell}` };
  }
  if (probe.kind === 'exec-failed') return { ...base, status: 'fail', message: `${plugin.image}: the compatibility check did not finish: ${probe.reason}` };
  return { ...base, status: 'ok', message: `${plugin.shell} runs pmt's commands in ${plugin.image}` };
}

/**
 * Mirrors the REST transport's own check (exit 0 and output starting with "curl"): without curl a
 * scan falls back to archive copy when RestFallback allows it, and fails otherwise.
 */
export function curlFinding(plugin: Plugin, probe: CurlProbe, restFallback: boolean): Finding {
  const base = { check: 'curl', plugin: plugin.name } as const;
  if (probe.kind === 'not-started') {
    return { ...base, status: 'fail', message: `a container of ${plugin.image} could not run: ${probe.reason}`, hint: probe.hint ?? `check that the image has the plugin's shell ${plugin.shell}` };
  }
  if (probe.kind === 'ran' && probe.result.exitCode === 0 && probe.result.stdout.startsWith('curl')) {
    const version = probe.result.stdout.split('\n', 1)[0]?.split(' ').slice(0, 2).join(' ');
    return { ...base, status: 'ok', message: `${version} in ${plugin.image}` };
  }
  const why = probe.kind === 'ran' ? `exit code ${probe.result.exitCode}${firstLine(probe.result.stderr || probe.result.stdout)}` : probe.reason;
  const missing = `\`curl -V\` failed in ${plugin.image} (${why}); the REST transport needs curl`;
  if (restFallback) {
    return { ...base, status: 'warn', message: `${missing}; this plugin falls back to archive copy`, hint: 'add curl to the image to use the REST transport' };
  }
  return {
    ...base,
    status: 'fail',
    message: `${missing}, and RestFallback is false, so this plugin fails`,
    hint: 'add curl to the plugin image, or set "RestFallback": true / "RestApi": false in the core engine config',
  };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n', 1)[0]?.trim() ?? '';
  return line ? `: ${line.slice(0, 200)}` : '';
}
