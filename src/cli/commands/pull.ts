import { Command, InvalidArgumentError } from 'commander';
import { buildHint } from '../../agent/build-hint.js';
import type { ContainerRuntime, PullProgress } from '../../docker/container-runtime.js';
import { resolveRegistryAuth } from '../../docker/registry-auth.js';
import { shortImageId } from '../../doctor/image-finding.js';
import { ExitCode, PmtError, type ExitCodeValue } from '../../errors.js';
import type { Plugin } from '../../registry/plugin.js';
import { formatBytes } from '../../store/format-bytes.js';
import type { CliIO } from '../cli-io.js';
import { withCommonOptions, type CommonOptions } from '../common-options.js';
import { loadInputs } from '../load-inputs.js';

interface PullOptions extends CommonOptions {
  plugin?: string[];
}

type PullRuntime = ContainerRuntime & { defaultRegistry(): Promise<string> };

export function pullCommand(io: CliIO, runtime: (options?: Partial<CommonOptions>) => PullRuntime, done: (code: ExitCodeValue) => void): Command {
  return withCommonOptions(new Command('pull'))
    .description('download the images of plugins that the Docker engine does not have yet, with the configured credentials')
    .option('-p, --plugin <names>', 'plugin(s) whose images to pull: NAME, NAME,NAME or "all" (repeatable; default: all)', collectNames)
    .addHelpText('after', '\nExit codes: 0 every image present or pulled, 1 a pull failed, 2 usage or config error, 3 no Docker engine answers.')
    .action(async (options: PullOptions) => {
      const { registry, config } = await loadInputs(options, io);
      const plugins = registry.select(options.plugin ?? 'all');
      const docker = runtime(options);
      await docker.ping();
      const defaultRegistry = await docker.defaultRegistry();
      const tty = io.stdout.isTTY === true;
      const counts = { present: 0, pulled: 0, failed: 0 };

      // Plugins sharing an image pull it once.
      for (const [image, users] of byImage(plugins)) {
        const local = await docker.findImage(image);
        if (local) {
          counts.present++;
          io.stdout.write(`${image}: already present (${shortImageId(local.id)})\n`);
          continue;
        }
        const { auth, source } = await resolveRegistryAuth(image, {
          username: config.remoteRepoUser,
          password: config.remoteRepoPass,
          defaultRegistry,
          env: io.env,
        });
        const meter = new PullMeter();
        let shown = '';
        const show = (line: string): void => {
          if (line === shown) return;
          shown = line;
          io.stdout.write(`\r\u001b[2K${line}`);
        };
        if (tty) show(`${image}: pulling (credentials: ${source})`);
        else io.stdout.write(`${image}: pulling (credentials: ${source})\n`);
        try {
          await docker.pullImage(image, auth, (event) => {
            meter.update(event);
            if (tty) show(`${image}: ${meter.describe()}`);
          });
        } catch (error) {
          if (!(error instanceof PmtError) || error.exitCode === ExitCode.engineUnreachable) throw error;
          counts.failed++;
          if (tty) io.stdout.write('\r\u001b[2K');
          const names = users.map((p) => p.name).join(', ');
          io.stderr.write(`pmt: could not pull ${image} (plugin ${names}; credentials: ${source}): ${error.message} — ${buildHint(users[0]!)}\n`);
          continue;
        }
        counts.pulled++;
        const pulled = await docker.findImage(image);
        const line = `${image}: pulled${pulled ? ` (${shortImageId(pulled.id)})` : ''}`;
        io.stdout.write(tty ? `\r\u001b[2K${line}\n` : `${line}\n`);
      }
      io.stdout.write(`${counts.present} already present, ${counts.pulled} pulled, ${counts.failed} failed\n`);
      done(counts.failed > 0 ? ExitCode.pluginFailed : ExitCode.ok);
    });
}

/**
 * Sums the engine's per-layer download progress into one figure. Layers announce their size only
 * once they start downloading, so the total can grow while a pull runs.
 */
export class PullMeter {
  readonly #layers = new Map<string, { current: number; total: number }>();
  #status = 'pulling';

  update(event: PullProgress): void {
    if (event.status) this.#status = event.status.toLowerCase();
    if (event.id === undefined) return;
    const layer = this.#layers.get(event.id);
    if (event.status === 'Downloading' && event.total !== undefined && event.total > 0) {
      this.#layers.set(event.id, { current: Math.min(event.current ?? 0, event.total), total: event.total });
    } else if (layer && (event.status === 'Download complete' || event.status === 'Pull complete')) {
      layer.current = layer.total;
    }
  }

  /** Whole percent of the bytes announced so far; undefined before any layer announced its size. */
  percent(): number | undefined {
    let current = 0;
    let total = 0;
    for (const layer of this.#layers.values()) {
      current += layer.current;
      total += layer.total;
    }
    return total === 0 ? undefined : Math.floor((100 * current) / total);
  }

  describe(): string {
    const percent = this.percent();
    if (percent === undefined) return this.#status;
    const total = [...this.#layers.values()].reduce((sum, layer) => sum + layer.total, 0);
    return `${percent}% of ${formatBytes(total)} (${this.#status})`;
  }
}

function byImage(plugins: readonly Plugin[]): Map<string, Plugin[]> {
  const images = new Map<string, Plugin[]>();
  for (const plugin of plugins) images.set(plugin.image, [...(images.get(plugin.image) ?? []), plugin]);
  return images;
}

function collectNames(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('expected one or more plugin names');
  return [...previous, ...names];
}
