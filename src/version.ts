import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../package.json') as { version: string };

/** The pmt package version, as `pmt -v` prints it. */
export const PMT_VERSION: string = pkg.version;

/**
 * The version of the core engine's plugin contract. Registry entries declare the range of it they
 * work with (`core_version`); it changes only when the contract (mounts, env, transports) changes.
 */
export const CORE_ENGINE_VERSION = '1.0.0';
