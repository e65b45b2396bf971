import semver from 'semver';
import { ConfigError, type Problem } from '../errors.js';
import type { Plugin } from '../registry/plugin.js';

/** Refuses plugins whose `core_version` range excludes this core engine — the original never checked. */
export function assertCompatible(plugins: readonly Plugin[], coreVersion: string, registrySource: string): void {
  const problems: Problem[] = plugins
    .filter((p) => p.coreVersion !== undefined && !semver.satisfies(coreVersion, p.coreVersion, { includePrerelease: true }))
    .map((p) => ({
      file: registrySource,
      message: `plugin "${p.name}" ${p.version} needs core engine ${p.coreVersion}, but this pmt has core engine ${coreVersion}`,
    }));
  if (problems.length > 0) {
    throw new ConfigError(problems, 'use a pmt release whose core engine fits, or a plugin version made for this one');
  }
}
