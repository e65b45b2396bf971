import { BUILD_CONTEXT_LABEL, buildContextHash } from '../../build/build-context-hash.js';
import { imageFreshness } from '../../build/image-freshness.js';
import type { ContainerRuntime } from '../../docker/container-runtime.js';
import { ExitCode, PmtError, type ExitCodeValue } from '../../errors.js';
import type { Plugin } from '../../registry/plugin.js';
import type { CliIO } from '../cli-io.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import type { ListOptions } from '../commands/list.js';
import { formatTable } from '../format-table.js';
import { BUNDLED_REGISTRY } from '../../lookup/input-lookup.js';
import { describeLookup, loadInputs, registryFlagOf } from '../load-inputs.js';
import { jsonDocument } from '../json-document.js';
import { escapeControls } from '../../log/escape-controls.js';

type ImageStatus = 'present' | 'out of date' | 'not built' | 'not present' | 'engine unreachable';

interface ListedPlugin {
  name: string;
  version: string;
  image: string;
  imageStatus: ImageStatus;
  imageId: string | null;
  default: boolean;
  coreVersion: string | null;
  importer: string;
  build: string | null;
  /** The build directory's hash now (see buildContextHash); null without a readable `build`. */
  buildHash: string | null;
  /** The hash the local image was built from (its pmt.build-context label), if it has one. */
  imageBuildHash: string | null;
  /** Set when the image no longer matches its build directory. */
  outOfDate?: { message: string; hint: string } | undefined;
  /** The registry file the entry comes from: the registry itself, or one it extends. */
  origin: string;
}

/** `pmt list` (`pmt -l`): loaded when it runs (see commands/list.ts for its options). */
export async function listAction(options: ListOptions, io: CliIO, runtime: RuntimeFactory, done: (code: ExitCodeValue) => void): Promise<void> {
  // Whether the engine answers needs no image name: asked while the registry is read.
  const engine = answeringEngine(runtime(options));
  const { registry, lookup } = await loadInputs(options, io);
  const registryFlag = registryFlagOf(lookup);
  const listed = await describePlugins(registry.available(), registry.default(), await engine, registryFlag, (p) => registry.origin(p));
  const extended = registry.extended.map((file) => (file === BUNDLED_REGISTRY ? `bundled (${file})` : file));
  const from = `Registry: ${describeLookup(lookup.registry)}${extended.length > 0 ? `, extends ${extended.join(', which extends ')}` : ''}`;
  if (options.json) {
    const registryLookup = { file: lookup.registry.file, origin: lookup.registry.origin, why: lookup.registry.why };
    io.stdout.write(jsonDocument({ registry: registry.source, registryLookup, extends: registry.extended, plugins: listed }));
  } else if (listed.length === 0) {
    io.stdout.write(`No plugins in ${registry.source}\n`);
  } else {
    // Entries of more than one file (`extends`): say where each comes from.
    const showOrigin = registry.extended.length > 0;
    const originText = (file: string): string => (file === BUNDLED_REGISTRY ? 'bundled' : file);
    const rows = listed.map((p) => [
      `${p.name}${p.default ? ' *' : ''}`,
      escapeControls(p.version),
      p.image,
      p.imageStatus,
      ...(showOrigin ? [originText(p.origin)] : []),
    ]);
    const header = ['PLUGIN', 'VERSION', 'IMAGE', 'IMAGE STATUS', ...(showOrigin ? ['FROM'] : [])];
    const legend = listed.some((p) => p.default) ? '* default plugin\n' : '';
    io.stdout.write(`${formatTable([header, ...rows])}\n${legend}${from}\n`);
    for (const p of listed) if (p.outOfDate) io.stderr.write(`pmt: warning: ${p.outOfDate.message} — ${p.outOfDate.hint}\n`);
  }
  done(ExitCode.ok);
}

/**
 * The engine once it has answered a ping, or undefined when it cannot be reached. An engine that
 * cannot even be named (a bad --docker-host) rejects: that is the command's error, said after the
 * registry's (the promise is awaited only once the registry is read, and is handled until then).
 */
function answeringEngine(engine: Promise<ContainerRuntime>): Promise<ContainerRuntime | undefined> {
  const answered = engine.then(async (runtime) => {
    try {
      await runtime.ping();
      return runtime;
    } catch (error) {
      if (!(error instanceof PmtError)) throw error;
      return undefined;
    }
  });
  answered.catch(() => undefined);
  return answered;
}

/** `runtime`: undefined when the engine cannot be reached. */
async function describePlugins(
  plugins: readonly Plugin[],
  defaultPlugin: Plugin | undefined,
  runtime: ContainerRuntime | undefined,
  registryFlag: string | undefined,
  originOf: (plugin: Plugin) => string,
): Promise<ListedPlugin[]> {
  const reachable = runtime !== undefined;
  return Promise.all(
    plugins.map(async (plugin) => {
      const image = runtime ? await runtime.findImage(plugin.image) : undefined;
      const freshness = image ? await imageFreshness(plugin, image, registryFlag) : undefined;
      const buildHash = freshness ? freshness.hash : plugin.build ? await buildContextHash(plugin.build).catch(() => undefined) : undefined;
      const status: ImageStatus = !reachable
        ? 'engine unreachable'
        : image
          ? freshness?.state === 'out of date' ? 'out of date' : 'present'
          : plugin.build ? 'not built' : 'not present';
      return {
        name: plugin.name,
        version: plugin.version,
        image: plugin.image,
        imageStatus: status,
        imageId: image?.id ?? null,
        default: plugin === defaultPlugin,
        coreVersion: plugin.coreVersion ?? null,
        importer: plugin.importer,
        build: plugin.build ?? null,
        buildHash: buildHash ?? null,
        imageBuildHash: image?.labels[BUILD_CONTEXT_LABEL] ?? null,
        outOfDate: freshness?.state === 'out of date' ? { message: freshness.message, hint: freshness.hint } : undefined,
        origin: originOf(plugin),
      };
    }),
  );
}
