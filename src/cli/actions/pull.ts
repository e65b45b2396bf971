import { buildHint } from '../../agent/build-hint.js';
import type { Plugin } from '../../registry/plugin.js';
import { PullMeter } from '../../docker/pull-meter.js';
import { shortImageId } from '../../doctor/image-finding.js';
import { ExitCode, PmtError, signalExitCode, type ExitCodeValue } from '../../errors.js';
import { authResolver } from '../auth-resolver.js';
import type { CliIO } from '../cli-io.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import type { PullOptions, PullRuntime } from '../commands/pull.js';
import { loadInputs, registryFlagOf } from '../load-inputs.js';
import { byImage } from '../plugins-by-image.js';
import { pullOnSwarm, type SwarmPullEnv } from '../swarm-pull.js';
import { escapeControls } from '../../log/escape-controls.js';

/** `pmt pull`: loaded when it runs (see commands/pull.ts for its options). */
export async function pullAction(
  options: PullOptions,
  io: CliIO,
  runtime: RuntimeFactory<PullRuntime>,
  done: (code: ExitCodeValue) => void,
): Promise<void> {
  const { registry, config, lookup } = await loadInputs(options, io, options.swarm ? { engine: 'swarm' } : {});
  const plugins = registry.select(options.plugin ?? 'all');
  const registryFlag = registryFlagOf(lookup);
  const docker = await runtime(options);
  await docker.ping();
  const resolveAuth = authResolver({ username: config.remoteRepoUser, password: config.remoteRepoPass }, docker, io.env);
  if (config.engine === 'swarm') {
    done(await swarmPull(plugins, { io, engine: docker, resolveAuth, timeoutMs: options.timeout }));
    return;
  }
  const tty = io.stdout.isTTY === true;
  const counts = { present: 0, pulled: 0, failed: 0, toBuild: 0 };

  // Plugins sharing an image pull it once.
  for (const [image, users] of byImage(plugins)) {
    const local = await docker.findImage(image);
    if (local) {
      counts.present++;
      io.stdout.write(`${image}: already present (${shortImageId(local.id)})\n`);
      continue;
    }
    // Built from a local directory: a registry image of that name could be anyone's (as in scan).
    const built = users.find((p) => p.build !== undefined);
    if (built) {
      counts.toBuild++;
      io.stdout.write(`${image}: not pulled, built locally — ${buildHint(built, registryFlag)}\n`);
      continue;
    }
    const { auth, source } = await resolveAuth(image);
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
      io.stderr.write(`pmt: could not pull ${image} (plugin ${names}; credentials: ${source}): ${escapeControls(error.message)} — ${buildHint(users[0]!, registryFlag)}\n`);
      continue;
    }
    counts.pulled++;
    const pulled = await docker.findImage(image);
    const line = `${image}: pulled${pulled ? ` (${shortImageId(pulled.id)})` : ''}`;
    io.stdout.write(tty ? `\r\u001b[2K${line}\n` : `${line}\n`);
  }
  const toBuild = counts.toBuild > 0 ? `, ${counts.toBuild} to build locally` : '';
  io.stdout.write(`${counts.present} already present, ${counts.pulled} pulled, ${counts.failed} failed${toBuild}\n`);
  done(counts.failed > 0 ? ExitCode.pluginFailed : ExitCode.ok);
}

/**
 * The swarm pull, with Ctrl-C: a first signal stops it and removes the pull check's service before
 * pmt exits; a second exits at once (the service's tasks end by themselves, the next sweep removes it).
 */
async function swarmPull(plugins: readonly Plugin[], env: Omit<SwarmPullEnv, 'signal'>): Promise<ExitCodeValue> {
  const controller = new AbortController();
  const stopListening = env.io.onSignal((signal) => {
    if (!controller.signal.aborted) controller.abort(signal);
    else env.io.exitNow?.(signalExitCode(signal));
  });
  try {
    const counts = await pullOnSwarm(plugins, { ...env, signal: controller.signal });
    if (!controller.signal.aborted) {
      env.io.stdout.write(`${counts.pulled} pulled on every node, ${counts.failed} failed\n`);
      return counts.failed > 0 ? ExitCode.pluginFailed : ExitCode.ok;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    stopListening();
  }
  env.io.stderr.write(`pmt: Received ${String(controller.signal.reason)}; the pull was stopped and its swarm service removed\n`);
  return signalExitCode(controller.signal.reason as NodeJS.Signals);
}
