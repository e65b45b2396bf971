import type { Config } from './config.js';
import { CONFIG_FILE_KEYS } from './config-schema.js';
import { formatDuration } from './duration.js';
import { maskCredentials } from '../log/mask-credentials.js';

export const MASK = '****';

/** PMT_PROVENANCE_KEY may hold the key itself instead of a path. */
export function isPemText(value: string | undefined): boolean {
  return value !== undefined && value.trimStart().startsWith('-----BEGIN');
}

/**
 * Every config value by its file key, for `pmt validate`, with the password masked: it is only
 * ever shown as `****` (set) or `(unset)`. Empty directories mean a fresh temp dir per run.
 */
export function describeConfig(config: Config): Record<string, string | boolean | number> {
  const described: Record<string, string | boolean | number> = { Source: config.source };
  for (const [key, field] of Object.entries(CONFIG_FILE_KEYS)) {
    const value = config[field];
    if (value === undefined) described[key] = '(unset)';
    else if (field === 'remoteRepoPass') described[key] = MASK;
    else if (field === 'serverUrl') described[key] = maskCredentials(config.serverUrl ?? '');
    else if (field === 'provenanceKey' && isPemText(config.provenanceKey)) described[key] = '(PEM key from PMT_PROVENANCE_KEY)';
    else if (value === '' && (field === 'pathDirResults' || field === 'pathDirLogs')) described[key] = '(temp dir per run)';
    else if (value === '' && field === 'cacheDir') described[key] = '(default: $XDG_CACHE_HOME/pmt or ~/.cache/pmt)';
    else if (field === 'defaultTimeoutMs' || field === 'swarmPlacementTimeoutMs') described[key] = formatDuration(config[field]);
    else if (value === '' && field === 'restAdvertiseAddr') described[key] = "(swarm: this machine's address toward the manager)";
    else if (field === 'defaultCpus' && value === 0) described[key] = '(no limit)';
    else described[key] = value;
  }
  return described;
}
