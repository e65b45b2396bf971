import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRuntime, ImageBuilder } from '../docker/container-runtime.js';
import { ImageBuildFailed } from '../docker/image-build.js';
import { UsageError } from '../errors.js';
import { timestamp } from '../log/container-log.js';
import type { Plugin } from '../registry/plugin.js';
import { BUILD_CONTEXT_LABEL, buildContextHash } from './build-context-hash.js';
import { packBuildContext } from './build-context.js';
import { BuildOutput } from './build-output.js';
import { installNpmPackages } from './install-npm-packages.js';

/** A Dockerfile line saying the build may fail where a download is unreachable (e.g. scancode's). */
const OPTIONAL_MARK = /^# pmt-build: optional\s*$/m;

export type BuildStatus = 'built' | 'up to date' | 'failed' | 'skipped';

export interface BuildOutcome {
  readonly plugin: string;
  readonly image: string;
  readonly status: BuildStatus;
  /** The image's id once built (or as found when up to date). */
  readonly imageId: string | undefined;
  /** The build directory's hash, set as the image's `pmt.build-context` label. */
  readonly hash: string | undefined;
  readonly durationMs: number;
  /** The whole build output; only for builds that ran. */
  readonly logPath: string | undefined;
  /** Why it failed or was skipped, in one line. */
  readonly message: string | undefined;
}

export interface BuildEnv {
  readonly engine: ImageBuilder & Pick<ContainerRuntime, 'findImage'>;
  /** The directory for build logs, made on first use (no empty directory when nothing is built). */
  readonly logDir: () => Promise<string>;
  readonly now: () => Date;
  /** Called when the build starts a step: `3/7 (RUN apt-get update …)`. */
  readonly onStep?: (plugin: string, step: string) => void;
  readonly signal?: AbortSignal;
  /** Where npm packages a build directory pins are installed, once per lock (see installNpmPackages). */
  readonly npmCacheDir: string;
}

export interface BuildOptions {
  /** Build even when the image carries the directory's current hash. */
  readonly force: boolean;
  /** A failed build of a Dockerfile marked `# pmt-build: optional` is `skipped`, not `failed`. */
  readonly optionalMaySkip: boolean;
}

/**
 * Builds one registry entry's image from its `build` directory, labelled with the directory's hash
 * (the same label scripts/build-plugins.sh always set), unless the image already carries that hash.
 * Never throws for a failed build (that is the outcome); engine and abort errors propagate.
 */
export async function buildPluginImage(plugin: Plugin & { readonly build: string }, options: BuildOptions, env: BuildEnv): Promise<BuildOutcome> {
  const started = env.now();
  const base = { plugin: plugin.name, image: plugin.image };
  const elapsed = (): number => env.now().getTime() - started.getTime();
  let hash: string;
  let dockerfile: string;
  try {
    [hash, dockerfile] = await Promise.all([buildContextHash(plugin.build), readFile(join(plugin.build, 'Dockerfile'), 'utf8')]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const message = `cannot read ${plugin.build} (${code}): the build directory must hold a Dockerfile`;
    return { ...base, status: 'failed', imageId: undefined, hash: undefined, durationMs: elapsed(), logPath: undefined, message };
  }

  const existing = await env.engine.findImage(plugin.image);
  if (!options.force && existing?.labels[BUILD_CONTEXT_LABEL] === hash) {
    return { ...base, status: 'up to date', imageId: existing.id, hash, durationMs: elapsed(), logPath: undefined, message: undefined };
  }

  const logPath = join(await env.logDir(), `pmt_build_${plugin.name.replace(/[^A-Za-z0-9._-]/g, '_')}_${timestamp(started)}.log`);
  const log = createWriteStream(logPath);
  let logFailure: unknown;
  log.on('error', (error) => (logFailure ??= error));
  const output = new BuildOutput();
  const failed = (message: string): BuildOutcome => {
    const status = options.optionalMaySkip && OPTIONAL_MARK.test(dockerfile) ? 'skipped' : 'failed';
    return { ...base, status, imageId: undefined, hash, durationMs: elapsed(), logPath, message };
  };
  try {
    const npm = await installNpmPackages(plugin.build, env.npmCacheDir, (text) => log.write(text));
    if ('failure' in npm) return failed(npm.failure);
    const imageId = await env.engine.buildImage(packBuildContext(plugin.build, npm.overlays), {
      tag: plugin.image,
      labels: { [BUILD_CONTEXT_LABEL]: hash },
      networkMode: 'host',
      signal: env.signal,
      onOutput: (text) => {
        log.write(text);
        const step = output.append(text);
        if (step) env.onStep?.(plugin.name, step);
      },
    });
    return { ...base, status: 'built', imageId, hash, durationMs: elapsed(), logPath, message: undefined };
  } catch (error) {
    if (!(error instanceof ImageBuildFailed)) throw error;
    log.write(`\npmt: the build failed: ${error.engineMessage}\n`);
    return failed(output.failureReason(error.engineMessage));
  } finally {
    await new Promise<void>((resolve) => log.end(resolve));
    if (logFailure) throw new UsageError(`cannot write the build log ${logPath}: ${String(logFailure)}`, 'choose a writable PathDirLogs');
  }
}

/** The entries of `plugins` that have a build directory; a named one without is a usage error. */
export function buildable(plugins: readonly Plugin[], named: boolean): (Plugin & { readonly build: string })[] {
  const without = plugins.filter((p) => p.build === undefined);
  if (named && without.length > 0) {
    const names = without.map((p) => `"${p.name}"`).join(', ');
    throw new UsageError(
      `plugin ${names} has no build directory in the registry, so pmt cannot build its image`,
      'pmt build builds entries with `build: DIR`; get published images with pmt pull',
    );
  }
  return plugins.filter((p): p is Plugin & { readonly build: string } => p.build !== undefined);
}
