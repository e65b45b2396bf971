import semver from 'semver';
import type { Problem } from '../errors.js';
import { quoteShort } from '../config/schema-problems.js';
import type { SourceDocument } from '../config/source-document.js';
import { problemAt, withPath, type ValuePath } from '../config/source-location.js';
import { parseByteSize } from '../config/byte-size.js';
import { parseDuration } from '../config/duration.js';
import { argumentProblem, cpusProblem } from '../config/limits.js';
import { imageReferenceProblem } from './image-reference.js';
import { RESERVED_PLUGIN_NAME } from './registry.js';
import { SUPPORTED_REGISTRY_VERSIONS } from './registry-schema.js';
import { resultNameProblem, savedNameKey, savedNameProblem, savedResultName } from './result-name.js';

type Json = Record<string, unknown>;

/** The engine refuses containers with less memory than this. */
export const MIN_MEMORY_BYTES = 6 * 2 ** 20;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The checks beyond the schema's shape. Each looks only at values of the right type, so a file
 * with type errors still gets every other problem reported in the same run.
 */
export function registryProblems(source: SourceDocument, registry: unknown): Problem[] {
  if (!isObject(registry)) return [];
  const problems: Problem[] = [];
  const report = (path: ValuePath, message: string, position: 'key' | 'value' = 'value'): void => {
    problems.push(problemAt(source, path, withPath(source, path, message), position));
  };

  const version = registry.version;
  if (typeof version === 'string' && !SUPPORTED_REGISTRY_VERSIONS.includes(version)) {
    report(['version'], `unsupported registry version ${quoteShort(version)} (supported: ${SUPPORTED_REGISTRY_VERSIONS.join(', ')})`);
  }

  const plugins = Array.isArray(registry.plugins) ? registry.plugins : [];
  const firstByName = new Map<string, number>();
  // Every result of every plugin is saved into one directory as <plugin>_<result>: two of them must
  // never land on one file, whichever plugins a scan selects.
  const savedBy = new Map<string, { index: number; plugin: string; result: string }>();
  plugins.forEach((plugin: unknown, index) => {
    if (!isObject(plugin)) return;
    const at = (key: string): ValuePath => ['plugins', index, key];
    const { name, docker_image: image, core_version: coreVersion, results, timeout, resources } = plugin;
    // Both reach the container's shell as quoted words on a line: a NUL cannot travel in one.
    for (const key of ['shell', 'cmd']) {
      const value = plugin[key];
      if (typeof value === 'string' && value.includes('\0')) report(at(key), 'must not contain a NUL character');
    }
    const tooLong = typeof plugin.cmd === 'string' ? argumentProblem(plugin.cmd) : undefined;
    if (tooLong !== undefined) report(at('cmd'), tooLong);
    const shellProblem = typeof plugin.shell === 'string' ? shellPathProblem(plugin.shell) : undefined;
    if (shellProblem) report(at('shell'), shellProblem);
    if (typeof timeout === 'string' || typeof timeout === 'number') {
      const parsed = parseDuration(timeout);
      if ('error' in parsed) report(at('timeout'), parsed.error);
    }
    if (isObject(plugin.env)) {
      for (const key of Object.keys(plugin.env)) {
        // At the offending key itself, not at the start of the env block.
        const where: ValuePath = ['plugins', index, 'env', key];
        if (!ENV_NAME.test(key)) report(where, `"${key}" is not a shell variable name`, 'key');
        else if (key.startsWith('PMT_')) report(where, `names starting with PMT_ are reserved for pmt (it sets PMT_INPUT_DIR, PMT_TOKEN, …)`, 'key');
      }
    }
    const cpus = isObject(resources) ? resources.cpus : undefined;
    const cpusWrong = typeof cpus === 'number' ? cpusProblem(cpus, false) : undefined;
    if (cpusWrong !== undefined) report(['plugins', index, 'resources', 'cpus'], cpusWrong);
    const memory = isObject(resources) ? resources.memory : undefined;
    if (typeof memory === 'string' || typeof memory === 'number') {
      const parsed = parseByteSize(memory);
      if ('error' in parsed) report(['plugins', index, 'resources', 'memory'], parsed.error);
      else if (parsed.bytes < MIN_MEMORY_BYTES) report(['plugins', index, 'resources', 'memory'], 'Docker needs at least 6MiB of memory for a container');
    }
    if (typeof name === 'string') {
      const folded = name.toLowerCase();
      const first = firstByName.get(folded);
      const duplicate = `duplicate plugin name "${name}" (plugins[${first}] has it; names are compared case-insensitively)`;
      if (folded === RESERVED_PLUGIN_NAME) report(at('name'), `"${name}" is reserved (it selects every plugin)`);
      else if (first !== undefined) report(at('name'), duplicate);
      else firstByName.set(folded, index);
    }
    if (typeof image === 'string') {
      const problem = imageReferenceProblem(image);
      if (problem !== undefined) report(at('docker_image'), `invalid Docker image reference ${quoteShort(image)}: ${problem}`);
    }
    if (typeof coreVersion === 'string' && semver.validRange(coreVersion) === null) {
      report(at('core_version'), `invalid semver range ${quoteShort(coreVersion)} (e.g. ">=1.0.0 <2")`);
    }
    if (Array.isArray(results)) {
      const seen = new Set<string>();
      results.forEach((result: unknown, resultIndex) => {
        if (typeof result !== 'string') return;
        const at = ['plugins', index, 'results', resultIndex];
        const problem = seen.has(result) ? `"${result}" is listed twice` : resultNameProblem(result);
        seen.add(result);
        if (problem !== undefined) return report(at, problem);
        // A duplicate plugin name is reported as such, not once more per result.
        if (typeof name !== 'string' || firstByName.get(name.toLowerCase()) !== index) return;
        const tooLong = savedNameProblem(name, result);
        if (tooLong !== undefined) return report(at, `"${result}" ${tooLong}`);
        const key = savedNameKey(name, result);
        const other = savedBy.get(key);
        if (other === undefined) return void savedBy.set(key, { index, plugin: name, result });
        const whose = other.index === index ? 'another result of this plugin' : `"${other.result}" of plugins[${other.index}] (${other.plugin})`;
        report(at, `"${result}" would be saved as "${savedResultName(name, result)}", the same file as ${whose} (names are compared ignoring case); rename one of them`);
      });
    }
  });

  const defaultPlugin = registry.default_plugin;
  const names = plugins.map((plugin: unknown) => (isObject(plugin) && typeof plugin.name === 'string' ? plugin.name : undefined));
  const outOfRange = (index: number): boolean => !(index >= 0 && index < plugins.length);
  if (typeof defaultPlugin === 'number' && Number.isInteger(defaultPlugin) && plugins.length > 0 && outOfRange(defaultPlugin)) {
    report(['default_plugin'], `index ${defaultPlugin} is out of range (plugins has ${plugins.length}: 0–${plugins.length - 1})`);
  }
  // With `extends`, the default may be a plugin of the extended registry: checked once both are merged.
  if (typeof defaultPlugin === 'string' && registry.extends === undefined && !names.some((name) => name?.toLowerCase() === defaultPlugin.toLowerCase())) {
    const available = names.filter((name) => name !== undefined).join(', ');
    report(['default_plugin'], `no plugin named ${quoteShort(defaultPlugin)} (available: ${available || 'none'})`);
  }
  return problems;
}

/**
 * `shell` is one program: pmt starts it as the container's main process and runs every command as
 * `[shell, "-c", command]`. Words after it (`/bin/sh -e`) would be taken as part of its path, and
 * options such as -e would end the long-running shell at the first failing command anyway.
 */
function shellPathProblem(shell: string): string | undefined {
  if (shell.trim() === '') return 'must name a shell, e.g. /bin/sh';
  const words = shell.trim().split(/\s+/);
  if (words.length > 1) {
    return `${quoteShort(shell)} has arguments, but \`shell\` is the path of the shell alone (pmt runs [shell, "-c", cmd]): use ${quoteShort(words[0]!)} and put options into \`cmd\` (e.g. \`set -e; …\`)`;
  }
  if (/\s/.test(shell)) return `${quoteShort(shell)} has leading or trailing spaces`;
  return undefined;
}
