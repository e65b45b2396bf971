import type { DockerRuntime } from '../docker/docker-runtime.js';
import type { CommonOptions } from './common-options.js';

/**
 * The Docker engine a command talks to, created on first use from its options (e.g. --docker-host).
 * A promise: dockerode is loaded with it, so that commands which never reach the engine (and
 * `--help`) start without it. `R`: what of the engine a command needs (e.g. PullRuntime).
 */
export type RuntimeFactory<R = DockerRuntime> = (options?: Partial<CommonOptions>) => Promise<R>;
