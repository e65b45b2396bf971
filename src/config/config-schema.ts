import type { SchemaObject } from 'ajv';
import type { Config } from './config.js';

/** The keys of core_engine_config.json (PascalCase, as in the original) and the Config field each sets. */
export const CONFIG_FILE_KEYS = {
  RestApi: 'restApi',
  RestTransport: 'restTransport',
  RestFallback: 'restFallback',
  RemoteRepoUser: 'remoteRepoUser',
  RemoteRepoPass: 'remoteRepoPass',
  SaveResultsLocally: 'saveResultsLocally',
  PathDirResults: 'pathDirResults',
  PathDirLogs: 'pathDirLogs',
  ServerUrl: 'serverUrl',
  MaxResultFileBytes: 'maxResultFileBytes',
  MaxRunResultBytes: 'maxRunResultBytes',
  FilestoreMemoryBytes: 'filestoreMemoryBytes',
  DefaultTimeout: 'defaultTimeoutMs',
  DefaultMemory: 'defaultMemoryBytes',
  DefaultCpus: 'defaultCpus',
  DefaultPids: 'defaultPids',
  CacheDir: 'cacheDir',
  ProvenanceKey: 'provenanceKey',
  Engine: 'engine',
  RestAdvertiseAddr: 'restAdvertiseAddr',
  SwarmPlacementTimeout: 'swarmPlacementTimeoutMs',
} as const satisfies Record<string, Exclude<keyof Config, 'source'>>;

export type ConfigFileKey = keyof typeof CONFIG_FILE_KEYS;

/** Size keys take an integer or a string such as "64MiB"; byte-size.ts parses them. */
export const SIZE_KEYS = ['MaxResultFileBytes', 'MaxRunResultBytes', 'FilestoreMemoryBytes', 'DefaultMemory'] as const;

const size = { type: ['integer', 'string'] };

/** JSON Schema of core_engine_config.json. Every key is optional; absent keys keep their defaults. */
export const configSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    RestApi: { type: 'boolean' },
    RestTransport: { type: 'string', enum: ['unix', 'tcp'] },
    RestFallback: { type: 'boolean' },
    RemoteRepoUser: { type: 'string' },
    RemoteRepoPass: { type: 'string' },
    SaveResultsLocally: { type: 'boolean' },
    PathDirResults: { type: 'string' },
    PathDirLogs: { type: 'string' },
    ServerUrl: { type: 'string' },
    MaxResultFileBytes: size,
    MaxRunResultBytes: size,
    FilestoreMemoryBytes: size,
    DefaultTimeout: { type: ['number', 'string'] },
    DefaultMemory: size,
    // Bounds in parse-config.ts (limits.ts), with a message that says why.
    DefaultCpus: { type: 'number' },
    DefaultPids: { type: 'integer', minimum: 8 },
    CacheDir: { type: 'string' },
    ProvenanceKey: { type: 'string' },
    Engine: { type: 'string', enum: ['local', 'swarm'] },
    // An IP address (checked in parse-config.ts, with a message that says why).
    RestAdvertiseAddr: { type: 'string' },
    SwarmPlacementTimeout: { type: ['number', 'string'] },
  },
};
