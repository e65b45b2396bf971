import type { DockerRuntime } from '../docker/docker-runtime.js';
import type { CommonOptions } from './common-options.js';

/** The Docker engine a command talks to, created on first use from its options (e.g. --docker-host). */
export type RuntimeFactory = (options?: Partial<CommonOptions>) => DockerRuntime;
