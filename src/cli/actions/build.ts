import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildable, buildPluginImage, type BuildOutcome } from '../../build/build-plugin-image.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import type { CliIO } from '../cli-io.js';
import type { BuildCommandOptions } from '../commands/build.js';
import { loadInputs } from '../load-inputs.js';
import { formatDuration } from '../progress/format-duration.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import { escapeControls } from '../../log/escape-controls.js';
import { jsonDocument } from '../json-document.js';
import { makeDirs } from '../../fs/make-dirs.js';
import { defaultLogsRoot, openRunLogsDir } from '../../log/run-logs-dir.js';
import { cacheDirOf } from '../../cache/cache-dir.js';

/** `pmt build`: loaded when it runs (see commands/build.ts for its options). */
export async function buildAction(options: BuildCommandOptions, io: CliIO, runtime: RuntimeFactory, done: (code: ExitCodeValue) => void): Promise<void> {
  const { registry, config } = await loadInputs(options, io);
  const named = options.plugin !== undefined && !options.plugin.some((n) => n.toLowerCase() === 'all');
  const plugins = buildable(registry.select(options.plugin ?? 'all'), named);
  const engine = await runtime(options);
  await engine.ping();
  let made: Promise<string> | undefined;
  // PathDirLogs, else a directory per invocation in the logs root that scans use (kept bounded
  // there), else a temp dir.
  const logDir = (): Promise<string> =>
    (made ??= config.pathDirLogs
      ? makeDirs(config.pathDirLogs).then(() => config.pathDirLogs)
      : openRunLogsDir(defaultLogsRoot(io.env), randomBytes(6).toString('hex'), new Date()).catch(() => mkdtemp(join(tmpdir(), 'pmt-build-logs-'))));
  const live = io.stderr.isTTY === true && !options.json;
  const outcomes: BuildOutcome[] = [];
  for (const plugin of plugins) {
    const started = Date.now();
    let current = `sending ${plugin.build}`;
    const show = (text: string): void => {
      current = text;
      if (live) io.stderr.write(`\r\x1b[K${cut(escapeControls(`building ${plugin.name} (${formatDuration(Date.now() - started)}): ${text}`), terminalWidth(io))}`);
    };
    show(current);
    // A long step (apt-get, a download) still shows its time going on.
    const ticker = live ? setInterval(() => show(current), 1000).unref() : undefined;
    let outcome: BuildOutcome;
    try {
      outcome = await buildPluginImage(plugin, { force: options.force, optionalMaySkip: !named }, {
        engine,
        logDir,
        npmCacheDir: join(cacheDirOf(config, io.env), 'build-npm'),
        now: () => new Date(),
        onStep: (_name, step) => show(`step ${step}`),
      });
    } finally {
      clearInterval(ticker);
      if (live) io.stderr.write('\r\x1b[K');
    }
    outcomes.push(outcome);
    if (!options.json && !(options.quiet && outcome.status === 'up to date')) io.stdout.write(`${escapeControls(describeOutcome(outcome))}\n`);
  }
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (options.json) {
    // Every key is there: what did not happen is null.
    io.stdout.write(jsonDocument({ registry: registry.source, builds: outcomes }, (_key, value: unknown) => value ?? null));
  } else if (plugins.length === 0) {
    io.stdout.write(`No entry of ${registry.source} has a build directory.\n`);
  }
  if (failed.length > 0) {
    io.stderr.write(`pmt: ${failed.length} of ${outcomes.length} image build(s) failed; the whole output of each is in its log file — fix the build directory and run pmt build again\n`);
  }
  done(failed.length > 0 ? ExitCode.pluginFailed : ExitCode.ok);
}

/** One line per plugin: what happened, and where the whole output is when it matters. */
function describeOutcome(o: BuildOutcome): string {
  switch (o.status) {
    case 'built':
      return `${o.plugin}: built ${o.image} in ${formatDuration(o.durationMs)}`;
    case 'up to date':
      return `${o.plugin}: ${o.image} is up to date (built from this state of its directory)`;
    case 'skipped':
      return `${o.plugin}: skipped (optional) — ${o.message}; log: ${o.logPath}`;
    case 'failed':
      return `${o.plugin}: FAILED — ${o.message}${o.logPath ? `; log: ${o.logPath}` : ''}`;
  }
}

function terminalWidth(io: CliIO): number {
  return (io.stderr as { columns?: number }).columns || 80;
}

function cut(text: string, width: number): string {
  return text.length < width ? text : `${text.slice(0, Math.max(1, width - 2))}…`;
}
