import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { Problem } from '../errors.js';
import type { SourceDocument } from '../config/source-document.js';
import { pairOf, problemAt, type ValuePath } from '../config/source-location.js';

/** Registry keys of the original PMT client's files (its YAML and its capitalised JSON). */
export const LEGACY_REGISTRY_KEYS: Readonly<Record<string, string>> = {
  Version: 'version',
  DefaultPlugin: 'default_plugin',
  defaultplugin: 'default_plugin',
  Plugins: 'plugins',
};

export const LEGACY_PLUGIN_KEYS: Readonly<Record<string, string>> = {
  Name: 'name',
  Version: 'version',
  DockerImg: 'docker_image',
  dockerimg: 'docker_image',
  Shell: 'shell',
  Cmd: 'cmd',
  Results: 'results',
};

/** Keys whose values are free text even when YAML reads them as numbers (`version: 1.0`). */
const TEXT_KEYS = ['version'];

/**
 * Rewrites the document in place to the canonical keys, so one schema validates every accepted
 * shape. Key nodes keep their positions and, in `source`, the user's spelling for messages.
 */
export function normalizeRegistryDocument(source: SourceDocument): Problem[] {
  const problems: Problem[] = [];
  const root = source.doc.contents;
  if (!isMap(root)) return problems;
  renameKeys(source, root, [], LEGACY_REGISTRY_KEYS, problems);
  const plugins = pairOf(root, 'plugins')?.value;
  if (isSeq(plugins)) {
    plugins.items.forEach((item, index) => {
      if (isMap(item)) renameKeys(source, item, ['plugins', index], LEGACY_PLUGIN_KEYS, problems);
    });
  }
  return problems;
}

function renameKeys(
  source: SourceDocument,
  map: YAMLMap,
  path: ValuePath,
  aliases: Readonly<Record<string, string>>,
  problems: Problem[],
): void {
  for (const pair of [...map.items]) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const canonical = Object.hasOwn(aliases, key) ? aliases[key] : undefined;
    if (canonical !== undefined) {
      if (pairOf(map, canonical) !== undefined) {
        problems.push(problemAt(source, [...path, key], `"${key}" and "${canonical}" are the same setting; keep one`, 'key'));
        map.items.splice(map.items.indexOf(pair), 1);
        continue;
      }
      pair.key.value = canonical;
    }
    if (TEXT_KEYS.includes(String(pair.key.value))) keepAsText(pair.value as Node | null);
  }
}

/** A plain scalar that YAML resolved to a number goes back to the text the user wrote. */
function keepAsText(node: Node | null): void {
  if (isScalar(node) && typeof node.value === 'number' && typeof node.source === 'string') node.value = node.source;
}
