import type { ContainerSpec, ExecResult } from '../docker/container-runtime.js';

/** The environment variables that differ from plugin to plugin of a run but cannot change what a probe answers. */
const PER_PLUGIN_ENV = new Set(['PMT_PLUGIN_NAME', 'PMT_PLUGIN_ID', 'PMT_TOKEN']);

/**
 * What decides a transport probe's answer (`curl -V`) in a container: the image (by ID in a run, by
 * name in a plan), the main shell, the user, the environment (PATH, LD_PRELOAD …) and the limits.
 * Two containers alike in all of these run the same binary the same way, so the answer of one is
 * the answer of both.
 */
export function probeKey(image: string, spec: ContainerSpec): string {
  const env = Object.entries(spec.env)
    .filter(([name]) => !PER_PLUGIN_ENV.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([image, spec.command, spec.user ?? '', env, spec.limits, spec.readOnlyRootfs, spec.networkMode]);
}

/** A probe's answer in a run, and the plugin whose container gave it. */
export interface ProbeAnswer {
  readonly result: ExecResult;
  readonly plugin: string;
}

/** What `ProbeAnswers.take` gives: the answer to wait for, or the duty to find it out and say it. */
export type ProbeTurn =
  | { readonly kind: 'known'; readonly answer: Promise<ProbeAnswer | undefined> }
  | { readonly kind: 'ask'; readonly tell: (answer: ProbeAnswer | undefined) => void };

/**
 * The transport probe's answers within one run, by probeKey: the first container of a kind to
 * start runs the probe (a process start in it, ~6 ms of CPU that parallel plugins and the engine's
 * container starts compete for), the others take its answer.
 * An answer that never came (the check failed, was cut short) is forgotten: whoever waited for it,
 * and any later plugin, runs the probe itself.
 */
export class ProbeAnswers {
  private readonly answers = new Map<string, Promise<ProbeAnswer | undefined>>();

  take(key: string): ProbeTurn {
    const known = this.answers.get(key);
    if (known) return { kind: 'known', answer: known };
    let tell!: (answer: ProbeAnswer | undefined) => void;
    const answer = new Promise<ProbeAnswer | undefined>((resolve) => (tell = resolve));
    this.answers.set(key, answer);
    return {
      kind: 'ask',
      tell: (told) => {
        if (!told && this.answers.get(key) === answer) this.answers.delete(key);
        tell(told);
      },
    };
  }
}
