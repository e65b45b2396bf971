import path from 'node:path';
import { ConfigError } from '../errors.js';
import { readSourceFile } from '../config/read-source-file.js';
import { parseRegistry } from './parse-registry.js';
import type { Registry } from './registry.js';

/** Reads and parses a registry file; relative `build` paths resolve against its directory. */
export async function loadRegistryFile(file: string): Promise<Registry> {
  const read = await readSourceFile(file, 'registry file');
  if (!read.ok) {
    const hint = read.code === undefined ? undefined : 'pass an existing registry file with -r/--registry FILE';
    throw new ConfigError([read.problem], hint);
  }
  return parseRegistry(read.text, file, { baseDir: path.dirname(path.resolve(file)) });
}
