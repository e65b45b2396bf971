import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Document, isMap, isScalar, isSeq, parseDocument, YAMLSeq, type YAMLMap } from 'yaml';
import { LEGACY_PLUGIN_KEYS } from '../registry/legacy-keys.js';
import type { Plugin } from '../registry/plugin.js';
import type { Registry } from '../registry/registry.js';

export interface PushedPlugin {
  readonly plugin: Plugin;
  /** Where the image now is: `HOST:PORT/repository:tag`. */
  readonly reference: string;
}

/**
 * A registry file for scans whose nodes pull from the registry pmt pushed to: it extends the
 * registry the push read (`bundled`, or that file) and replaces each pushed plugin's entry with a
 * copy of the entry as written in its own file — every key kept, legacy keys in their R1.0 names —
 * whose `docker_image` is the pushed reference and which has no `build` (the image is published:
 * pull and scan fetch it, they never build it). Plugins not pushed keep their extended entries.
 */
export async function pushedRegistryText(registry: Registry, pushed: readonly PushedPlugin[], file: string, bundledRegistry: string): Promise<string> {
  const extendsValue =
    path.resolve(registry.source) === path.resolve(bundledRegistry) ? 'bundled' : path.relative(path.dirname(path.resolve(file)), path.resolve(registry.source));
  const entries = await Promise.all(
    pushed.map(async ({ plugin, reference }) => {
      const entry = await entryAsWritten(registry.origin(plugin), plugin.name);
      entry.delete('build');
      entry.set('docker_image', reference);
      return entry;
    }),
  );
  const document = new Document({ version: 'R1.0', extends: extendsValue, plugins: [] as unknown[] });
  document.setIn(['plugins'], new YAMLSeq());
  for (const entry of entries) (document.getIn(['plugins']) as YAMLSeq).add(entry);
  document.commentBefore = " Written by pmt push: the pushed plugins' entries, with docker_image in the registry they were pushed to.";
  return document.toString({ lineWidth: 0 });
}

/**
 * A plugin's entry as its registry file has it (a copy of its YAML node, so `version: 1.0` stays
 * 1.0), legacy keys renamed. The file was loaded moments ago, so it parses.
 */
async function entryAsWritten(file: string, name: string): Promise<YAMLMap> {
  const document = parseDocument(await readFile(file, 'utf8'));
  const plugins = document.get('plugins') ?? document.get('Plugins');
  const entries = isSeq(plugins) ? plugins.items.filter(isMap) : [];
  const found = entries.find((entry) => String(entry.get('name') ?? entry.get('Name')).toLowerCase() === name.toLowerCase());
  if (!found) throw new Error(`the registry file ${file} no longer has plugin "${name}"`);
  const copy = found.clone() as YAMLMap;
  for (const pair of copy.items) {
    if (isScalar(pair.key) && typeof pair.key.value === 'string') pair.key.value = LEGACY_PLUGIN_KEYS[pair.key.value] ?? pair.key.value;
  }
  return copy;
}
