import type { AuthResolver } from '../agent/ensure-image.js';
import type { Config } from '../config/config.js';
import { tmpdir } from 'node:os';
import type { ContainerRuntime, DistributionProbe, EngineInfo, FileSharingProbe, VolumeRuntime } from '../docker/container-runtime.js';
import { checkFileSharing } from '../engine/file-sharing.js';
import { Labels } from '../docker/labels.js';
import { mapBounded } from '../engine/map-bounded.js';
import { findDeadRunObjects, reapDeadRuns } from '../engine/reap-dead-runs.js';
import { PmtError, type ConfigError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { SwarmRuntime } from '../docker/swarm-runtime.js';
import { checkImage } from './check-image.js';
import { curlFinding, shellFinding } from './curl-finding.js';
import { engineFailure, engineFinding } from './engine-finding.js';
import type { DoctorReport, Finding, SkippedChecks } from './finding.js';
import { imageFinding } from './image-finding.js';
import { invalidInputFindings, validInputFindings, type InputReasons } from './input-findings.js';
import { leftoverFinding, removedFinding } from './leftover-containers.js';
import { probePlugin } from './probe-plugin.js';
import { swarmFindings } from './swarm-findings.js';
import type { Plugin } from '../registry/plugin.js';
import type { Registry } from '../registry/registry.js';

/** Label on doctor's throwaway probe containers (besides pmt.run, pmt.pid and pmt.host, like a scan's). */
export const DOCTOR_LABEL = 'pmt.doctor';

/** Image checks and curl probes in flight at once: quick, without flooding the engine. */
const CONCURRENCY = 4;

export interface DoctorInputs {
  readonly registry: Registry;
  readonly config: Config;
  /** Why the registry and config files were chosen (lookup order), shown with their findings. */
  readonly why?: InputReasons;
}

export interface DoctorRequest {
  /** The loaded registry and config, or why they could not be loaded. */
  readonly inputs: DoctorInputs | { readonly error: ConfigError; readonly registryFile: string };
  /** Remove containers left by dead pmt processes instead of only reporting them. */
  readonly fix: boolean;
  /** The `-r FILE` of the command, named in the build command of an unbuilt image. */
  readonly registryFlag?: string;
  /**
   * Swarm mode (`--swarm` or "Engine": "swarm"): the manager, its nodes and their pulls are checked
   * instead of this engine's images and files; `pullTimeoutMs` bounds each image's pull check.
   */
  readonly swarm?: { readonly pullTimeoutMs: number };
}

export interface DoctorEnv {
  readonly runtime: ContainerRuntime & DistributionProbe & VolumeRuntime;
  readonly resolveAuth: AuthResolver;
  readonly host: string;
  readonly pid: number;
  /** This doctor run's id on its probe containers. */
  readonly runId: string;
  readonly logger: Logger;
  /** Checks that a local engine sees pmt's files (binds work); without it the check is skipped. */
  readonly fileSharing?: FileSharingProbe;
  /** The directory a scan would take by default (`-i .`), checked along with pmt's temp dir. */
  readonly cwd?: string;
  /** The engine's swarm side: on a manager, leftovers include services and secrets of dead runs; needed in swarm mode. */
  readonly swarm?: SwarmRuntime;
  /** Ctrl-C: stops the swarm pull checks (their services are removed) and rejects with its reason. */
  readonly signal?: AbortSignal;
}

/** Runs every check it can; a check that cannot run is listed as skipped with the reason. */
export async function runDoctor(request: DoctorRequest, env: DoctorEnv): Promise<DoctorReport> {
  const findings: Finding[] = [];
  const skipped: SkippedChecks[] = [];
  let inputs: DoctorInputs | undefined;
  if ('error' in request.inputs) {
    findings.push(...invalidInputFindings(request.inputs.error, request.inputs.registryFile));
    skipped.push({ checks: ['image', 'shell', 'curl'], reason: 'the registry or config is invalid' });
  } else {
    inputs = request.inputs;
    findings.push(...validInputFindings(inputs.registry, inputs.config, inputs.why));
  }

  let engine: EngineInfo;
  try {
    engine = await env.runtime.describe();
  } catch (error) {
    if (!(error instanceof PmtError)) throw error;
    findings.push(engineFailure(error));
    skipped.push({ checks: inputs ? ['image', 'shell', 'curl', 'leftovers'] : ['leftovers'], reason: 'no Docker engine answers' });
    return { findings, skipped };
  }
  findings.push(engineFinding(engine, request.swarm !== undefined));
  if (request.swarm && env.swarm) {
    if (inputs) {
      const swarmEnv = { swarm: env.swarm, distribution: env.runtime, endpoint: engine.endpoint, resolveAuth: env.resolveAuth, runId: env.runId, restAdvertiseAddr: inputs.config.restAdvertiseAddr };
      findings.push(...(await swarmFindings(inputs.registry.available(), { ...swarmEnv, timeoutMs: request.swarm.pullTimeoutMs, signal: env.signal })));
    }
    skipped.push({ checks: ['files', 'image', 'shell', 'curl'], reason: "swarm mode: plugins run on the swarm's nodes, which pull their images (checked above)" });
  } else {
    if (inputs) {
      const files = await filesFinding(inputs.registry, engine, env);
      if ('skipped' in files) skipped.push({ checks: ['files'], reason: files.skipped });
      else findings.push(files);
    }
    if (inputs) findings.push(...(await pluginFindings(inputs, engine, env, skipped, request.registryFlag)));
  }
  findings.push(await leftovers(env, request.fix));
  return { findings, skipped };
}

/** One image finding per plugin, then one curl finding per present image when REST is used. */
async function pluginFindings(
  { registry, config }: DoctorInputs,
  engine: EngineInfo,
  env: DoctorEnv,
  skipped: SkippedChecks[],
  registryFlag: string | undefined,
): Promise<Finding[]> {
  const plugins = registry.available();
  const present: Plugin[] = [];
  const findings = await mapBounded(plugins, CONCURRENCY, async (plugin): Promise<Finding> => {
    try {
      const state = await checkImage(env.runtime, plugin, env.resolveAuth, registryFlag);
      if (state.present) present.push(plugin);
      return imageFinding(plugin, state, registryFlag);
    } catch (error) {
      if (!(error instanceof PmtError)) throw error;
      return { check: 'image', status: 'fail', plugin: plugin.name, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    }
  });

  const withCurl = config.restApi && engine.local;
  if (!config.restApi) skipped.push({ checks: ['curl'], reason: 'RestApi is false: results come back by archive copy, which needs no curl' });
  else if (!engine.local) skipped.push({ checks: ['curl'], reason: `the engine at ${engine.endpoint} is not on this machine, so scans use archive copy` });
  // Registry order, not the order the checks finished in.
  present.sort((a, b) => plugins.indexOf(a) - plugins.indexOf(b));
  const labels = { [DOCTOR_LABEL]: '1', [Labels.run]: env.runId, [Labels.pid]: String(env.pid), [Labels.host]: env.host };
  // A scan's own compatibility check, through the plugin's shell: whether it is there and is a POSIX
  // shell matters whatever the transport; curl only for REST.
  const probes = await mapBounded(present, CONCURRENCY, (plugin) => probePlugin(env.runtime, plugin, labels, withCurl));
  const shells = probes.map((probe, i) => shellFinding(present[i]!, probe));
  const curls = withCurl ? probes.flatMap((probe, i) => (probe.kind === 'ran' ? [curlFinding(present[i]!, probe, config.restFallback)] : [])) : [];
  return [...findings, ...shells, ...curls];
}

/** Whether scans will bind-mount the input or copy it: the same check a scan makes before its first bind. */
async function filesFinding(registry: Registry, engine: EngineInfo, env: DoctorEnv): Promise<Finding | { skipped: string }> {
  if (!engine.local) return { skipped: `the engine at ${engine.endpoint} is not on this machine: scans copy the input` };
  if (!env.fileSharing || !env.cwd) return { skipped: 'not asked for' };
  let image: string | undefined;
  for (const plugin of registry.available()) {
    if (await env.runtime.findImage(plugin.image).catch(() => undefined)) {
      image = plugin.image;
      break;
    }
  }
  if (!image) return { skipped: 'no plugin image is on the engine to check with' };
  const labels = { [DOCTOR_LABEL]: '1', [Labels.run]: env.runId, [Labels.pid]: String(env.pid), [Labels.host]: env.host };
  try {
    const verdict = await checkFileSharing({ probe: env.fileSharing, tempParent: tmpdir(), inputDir: env.cwd, labels }, image);
    if (verdict.shared) return { check: 'files', status: 'ok', message: `the engine sees pmt's files: scans bind-mount the input (checked with ${env.cwd})` };
    return {
      check: 'files',
      status: 'warn',
      message: `the engine does not see pmt's files (${verdict.reason}): scans copy the input into each container and collect results by archive copy`,
      hint: "expected when pmt runs in a container with the engine's socket mounted; scans work as they are (PMT_ENGINE_LOCAL=0 copies without checking)",
    };
  } catch (error) {
    if (!(error instanceof PmtError)) throw error;
    return { check: 'files', status: 'fail', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
}

async function leftovers(env: DoctorEnv, fix: boolean): Promise<Finding> {
  try {
    if (fix) return removedFinding(await reapDeadRuns(env.runtime, env.runtime, env.logger, { swarm: env.swarm }));
    return leftoverFinding(await findDeadRunObjects(env.runtime, env.runtime, { swarm: env.swarm }));
  } catch (error) {
    if (!(error instanceof PmtError)) throw error;
    return { check: 'leftovers', status: 'fail', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
}
