import { resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { buildHint } from '../../agent/build-hint.js';
import { PullMeter } from '../../docker/pull-meter.js';
import { ExitCode, PmtError, signalExitCode, UsageError, type ExitCodeValue } from '../../errors.js';
import { escapeControls } from '../../log/escape-controls.js';
import { BUNDLED_REGISTRY } from '../../lookup/input-lookup.js';
import { publishImage } from '../../push/publish-image.js';
import { parseRegistryHost, pushTarget } from '../../push/push-target.js';
import { pushedRegistryText, type PushedPlugin } from '../../push/pushed-registry.js';
import { replaceFile } from '../../store/replace-file.js';
import { authResolver } from '../auth-resolver.js';
import type { CliIO } from '../cli-io.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import type { PushOptions, PushRuntime } from '../commands/push.js';
import { loadInputs, registryFlagOf } from '../load-inputs.js';
import { byImage } from '../plugins-by-image.js';

/** `pmt push REGISTRY`: loaded when it runs (see commands/push.ts for its options). */
export async function pushAction(
  registryHost: string,
  options: PushOptions,
  io: CliIO,
  runtime: RuntimeFactory<PushRuntime>,
  done: (code: ExitCodeValue) => void,
): Promise<void> {
  const host = parseRegistryHost(registryHost);
  const { registry, config, lookup } = await loadInputs(options, io);
  const plugins = registry.select(options.plugin ?? 'all');
  const registryFlag = registryFlagOf(lookup);
  const output = options.writeRegistry === undefined ? undefined : resolve(io.cwd, options.writeRegistry);
  if (output !== undefined && [registry.source, ...registry.extended].some((file) => resolve(file) === output)) {
    throw new UsageError(`--write-registry ${output} is the registry this push reads`, 'write the pushed entries to another file; it extends this one');
  }
  const docker = await runtime(options);
  await docker.ping();
  const resolveAuth = authResolver({ username: config.remoteRepoUser, password: config.remoteRepoPass }, docker, io.env);
  const tty = io.stdout.isTTY === true;
  const pushed: PushedPlugin[] = [];
  let failed = 0;
  /** Extra tags pmt could not remove or give back: said once the pushes are over. */
  const tagProblems: string[] = [];

  // A signal cancels the push under way; its extra tag is removed before pmt exits.
  const controller = new AbortController();
  const stopListening = io.onSignal((signal) => {
    if (!controller.signal.aborted) controller.abort(signal);
    else io.exitNow?.(signalExitCode(signal));
  });
  try {
    for (const [image, users] of byImage(plugins)) {
      if (controller.signal.aborted) break;
      const names = users.map((p) => p.name).join(', ');
      const target = pushTarget(image, host);
      if ((await docker.findImage(image)) === undefined) {
        failed++;
        const how = users[0]!.build ? buildHint(users[0]!, registryFlag) : `pull it first (pmt pull -p ${users[0]!.name})`;
        io.stderr.write(`pmt: cannot push ${image} (plugin ${names}): this Docker engine does not have it — ${how}\n`);
        continue;
      }
      const { auth, source } = await resolveAuth(target);
      const meter = new PullMeter();
      const show = (line: string): void => void io.stdout.write(tty ? `\r\u001b[2K${line}` : `${line}\n`);
      show(`${target}: pushing ${image} (credentials: ${source})`);
      try {
        const digest = await publishImage(docker, {
          image,
          target,
          auth,
          signal: controller.signal,
          onProgress: tty ? (event) => (meter.update(event), show(`${target}: ${meter.describe()}`)) : undefined,
          onTagProblem: (problem) => tagProblems.push(problem),
        });
        show(`${target}: pushed, digest ${digest} (plugin ${names})`);
        if (tty) io.stdout.write('\n');
        pushed.push(...users.map((plugin) => ({ plugin, reference: target })));
      } catch (error) {
        if (controller.signal.aborted) break;
        if (!(error instanceof PmtError) || error.exitCode === ExitCode.engineUnreachable) throw error;
        failed++;
        if (tty) io.stdout.write('\r\u001b[2K');
        io.stderr.write(
          `pmt: could not push ${image} as ${target} (plugin ${names}; credentials: ${source}): ${escapeControls(error.message)} — check that ${host} is a registry this engine can reach (a registry without TLS must be on loopback or in the engine's insecure-registries), and the login (docker login ${host}, or RemoteRepoUser/RemoteRepoPass)\n`,
        );
      }
    }
  } finally {
    stopListening();
  }
  for (const problem of tagProblems) io.stderr.write(`pmt: warning: ${escapeControls(problem)}\n`);
  if (controller.signal.aborted) {
    io.stderr.write(`pmt: Received ${String(controller.signal.reason)}; the push was cancelled${tagProblems.length === 0 ? ' and its tag removed' : ''}\n`);
    done(signalExitCode(controller.signal.reason as NodeJS.Signals));
    return;
  }
  io.stdout.write(`${pushed.length === 0 ? 0 : new Set(pushed.map((p) => p.reference)).size} pushed, ${failed} failed\n`);
  if (pushed.length > 0) io.stdout.write(swarmAdvice(pushed, host, output));
  if (output !== undefined && pushed.length > 0) {
    const text = await pushedRegistryText(registry, pushed, output, BUNDLED_REGISTRY);
    await replaceFile(output, (temp) => writeFile(temp, text, { flag: 'wx' }));
    io.stdout.write(`Wrote ${output}: scan with it as pmt scan --swarm -r ${output}\n`);
  }
  done(failed > 0 ? ExitCode.pluginFailed : ExitCode.ok);
}

/** What a registry file needs for nodes that pull from `host`. */
function swarmAdvice(pushed: readonly PushedPlugin[], host: string, output: string | undefined): string {
  const width = Math.max(...pushed.map((p) => p.plugin.name.length));
  const lines = pushed.map((p) => `  ${p.plugin.name.padEnd(width)}  docker_image: ${p.reference}`);
  const write = output === undefined ? '\n(--write-registry FILE writes a registry file that extends this one with these entries)' : '';
  return `For nodes that pull from ${host} (a swarm), these entries take, without \`build\`:\n${lines.join('\n')}${write}\n`;
}
