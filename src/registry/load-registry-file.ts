import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { readFailure } from '../config/read-failure.js';
import { parseRegistry } from './parse-registry.js';
import type { Registry } from './registry.js';

/** Reads and parses a registry file; relative `build` paths resolve against its directory. */
export async function loadRegistryFile(file: string): Promise<Registry> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ file, message: `cannot read the registry file: ${readFailure(error)}` }], 'pass an existing registry file with -r/--registry FILE');
  }
  return parseRegistry(text, file, { baseDir: path.dirname(path.resolve(file)) });
}
