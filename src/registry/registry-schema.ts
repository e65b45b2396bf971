import type { SchemaObject } from 'ajv';
import { MESSAGES_KEYWORD } from '../config/messages-keyword.js';

/** The registry format versions pmt reads. */
export const SUPPORTED_REGISTRY_VERSIONS: readonly string[] = ['R1.0'];

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
const NAME_MESSAGE = 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"';

/**
 * JSON Schema of a registry file after legacy keys are renamed (see legacy-keys.ts). The checks a
 * schema cannot express well (image references, semver ranges, duplicate names, the default plugin,
 * result file names) are in registry-checks.ts.
 */
export const registrySchema: SchemaObject = {
  type: 'object',
  required: ['version', 'plugins'],
  additionalProperties: false,
  properties: {
    version: { type: 'string' },
    // `bundled` (the registry that comes with pmt) or a registry file, relative to this one: its
    // plugins come first, entries of the same name here replace them.
    extends: { type: 'string', minLength: 1 },
    // A plugin name, or an index into `plugins` as the original PMT client had it.
    default_plugin: { type: ['string', 'integer'] },
    plugins: {
      type: 'array',
      minItems: 1,
      [MESSAGES_KEYWORD]: { minItems: 'the registry has no plugins; add at least one' },
      items: {
        type: 'object',
        required: ['name', 'version', 'docker_image', 'shell', 'cmd', 'results'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: NAME_PATTERN, maxLength: 64, [MESSAGES_KEYWORD]: { pattern: NAME_MESSAGE } },
          version: { type: 'string', minLength: 1 },
          core_version: { type: 'string' },
          docker_image: { type: 'string' },
          shell: { type: 'string', minLength: 1 },
          cmd: { type: 'string', minLength: 1 },
          results: {
            type: 'array',
            minItems: 1,
            items: { type: 'string' },
            [MESSAGES_KEYWORD]: { minItems: 'must list at least one result file' },
          },
          importer: { type: 'string', pattern: NAME_PATTERN, [MESSAGES_KEYWORD]: { pattern: NAME_MESSAGE } },
          // A directory holding the plugin's Dockerfile, relative to the registry file.
          build: { type: 'string', minLength: 1 },
          // How long the plugin's commands may take: seconds, or "90s", "10m", "1h30m".
          timeout: { type: ['string', 'number'] },
          // Secure by default: no network unless the plugin truly needs one.
          network: { enum: ['none', 'host', 'bridge'] },
          resources: {
            type: 'object',
            additionalProperties: false,
            properties: {
              memory: { type: ['string', 'integer'] },
              // Bounds in registry-checks.ts (config/limits.ts), with a message that says why.
              cpus: { type: 'number' },
              pids: { type: 'integer', minimum: 8 },
            },
          },
          user: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$' },
          read_only_rootfs: { type: 'boolean' },
          // Names are checked in registry-checks.ts, to say exactly which one is wrong.
          env: { type: 'object', additionalProperties: { type: 'string' } },
          // Swarm placement constraints (`node.labels.scanner==big`), passed to the swarm as they are;
          // a local run ignores them.
          constraints: {
            type: 'array',
            items: { type: 'string', minLength: 1, pattern: '\\S', [MESSAGES_KEYWORD]: { pattern: 'must not be blank' } },
          },
        },
      },
    },
  },
};

/** The shape a registry has once it passed the schema. */
export interface RegistryFile {
  version: string;
  extends?: string;
  default_plugin?: string | number;
  plugins: PluginEntry[];
}

export interface PluginEntry {
  name: string;
  version: string;
  core_version?: string;
  docker_image: string;
  shell: string;
  cmd: string;
  results: string[];
  importer?: string;
  build?: string;
  timeout?: string | number;
  network?: 'none' | 'host' | 'bridge';
  resources?: { memory?: string | number; cpus?: number; pids?: number };
  user?: string;
  read_only_rootfs?: boolean;
  env?: Record<string, string>;
  constraints?: string[];
}
