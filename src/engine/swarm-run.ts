import type { Logger } from 'pino';
import { Labels } from '../docker/labels.js';
import type { SwarmRuntime } from '../docker/swarm-runtime.js';
import type { AgentContext } from '../agent/plugin-agent.js';
import type { PluginOutcome } from '../agent/plugin-outcome.js';
import type { Config } from '../config/config.js';
import { ExitCode, PmtError } from '../errors.js';
import type { PluginRun } from '../transport/result-collector.js';
import { cannotListenError } from '../swarm/advertise-listen.js';
import { runSwarmPluginAgent } from '../swarm/swarm-plugin-agent.js';
import { swarmPreflight } from '../swarm/swarm-preflight.js';
import type { Filestore, PutLimits } from '../store/filestore.js';
import type { SwarmSide } from '../swarm/swarm-plugin-agent.js';
import type { SwarmPreflight } from '../swarm/swarm-preflight.js';
import type { RunTransport } from './run-transport.js';
import { openRestEndpoint } from '../transport/rest-endpoint.js';

/** How often an agent asks the manager for its task's state. */
const TASK_POLL_MS = 150;

/** Swarm mode, checked before the run makes anything: the manager and the address tasks reach pmt at. */
export interface CheckedSwarm {
  readonly swarm: SwarmRuntime;
  readonly preflight: SwarmPreflight;
  /** Where the manager was reached, for messages. */
  readonly endpoint: string;
}

/** Undefined for a local run; in swarm mode, the engine checked to be a manager (else it throws). */
export async function checkSwarm(config: Config, swarm: SwarmRuntime | undefined, endpoint: string): Promise<CheckedSwarm | undefined> {
  if (config.engine !== 'swarm') return undefined;
  if (!swarm) throw new PmtError('swarm mode needs an engine that can act as a swarm manager', { origin: 'pmt', exitCode: ExitCode.usage });
  return { swarm, endpoint, preflight: await swarmPreflight(swarm, endpoint, config.restAdvertiseAddr) };
}

export interface SwarmRun {
  readonly side: SwarmSide;
  /** The run's agent: each plugin as a swarm service. */
  agent(context: AgentContext): (run: PluginRun) => Promise<PluginOutcome>;
  /** The address tasks reach pmt at. */
  readonly advertiseAddr: string;
  /** Removes what is left of the run on the swarm (services, then secrets), and closes the endpoint. */
  close(): Promise<void>;
}

export interface SwarmRunOptions extends CheckedSwarm {
  readonly runId: string;
  readonly filestore: Filestore;
  readonly limits: PutLimits;
  readonly tempDir: string;
  readonly rootLogger: Logger;
  readonly logger: Logger;
}

/**
 * A run's swarm side: the engine checked to be a manager, the advertise address settled, the REST
 * endpoint listening there (TCP, opened when the first plugin needs it), node names looked up once.
 */
export function openSwarmRun(options: SwarmRunOptions): SwarmRun {
  const { swarm, logger } = options;
  const { advertiseAddr, state } = options.preflight;
  logger.info(`Swarm mode: manager ${state.nodeAddr} at ${options.endpoint}; tasks reach pmt at ${advertiseAddr}`);
  let names: Promise<Map<string, string>> | undefined;
  const nodes = (): Promise<Map<string, string>> =>
    (names ??= swarm.listNodes().then((list) => new Map(list.map((n) => [n.id, n.hostname || n.id.slice(0, 12)]))));
  // Listening at once (a bare server: the first service needs the endpoint's port); its app is
  // built once the first service exists (see runSwarmPluginAgent).
  const endpoint = openRestEndpoint({
    filestore: options.filestore,
    transport: 'tcp',
    host: advertiseAddr,
    limits: options.limits,
    logger: options.rootLogger,
    tempParent: options.tempDir,
  }).catch((error: unknown) => {
    // Not the local hint (archive copy): swarm mode has only this way back.
    const why = error instanceof PmtError ? error.message.replace(/^pmt could not start its REST endpoint: /, '') : String(error);
    throw cannotListenError(advertiseAddr, why, error);
  });
  endpoint.catch(() => undefined); // the agents that need it report its failure
  const side: SwarmSide = {
    swarm,
    pollMs: TASK_POLL_MS,
    endpoint: () => endpoint,
    nodeName: async (id) => {
      const known = (await nodes()).get(id);
      if (known) return known;
      names = undefined; // a node that joined during the run
      return (await nodes()).get(id) ?? id.slice(0, 12);
    },
  };
  return {
    side,
    agent: (context) => (run) => runSwarmPluginAgent(context, side, run),
    advertiseAddr,
    close: async () => {
      await removeRunServices(swarm, options.runId, logger);
      await (await endpoint.catch(() => undefined))?.close();
    },
  };
}

/** A swarm run's plugins neither bind nor copy the input into containers, nor collect by archive: its tasks fetch and post over REST. */
export const NO_LOCAL_TRANSPORT: RunTransport = {
  sharesFiles: async () => false,
  collector: async () => {
    throw new PmtError('a swarm run has no local container transport', { origin: 'pmt' });
  },
  close: async () => undefined,
};

/** Belt and braces, like removeRunContainers: whatever an agent could not remove goes now. */
async function removeRunServices(swarm: SwarmRuntime, runId: string, logger: Logger): Promise<void> {
  const failed = (what: string) => (error: unknown) => {
    logger.error(`Could not remove ${what} of run ${runId}: ${String(error)}; look for label ${Labels.run}=${runId}`);
  };
  try {
    const services = await swarm.listServices({ [Labels.run]: runId });
    // Every one is tried: one that cannot go must not keep the others (or the secrets) from going.
    await Promise.all(services.map((s) => swarm.removeService(s.id).catch(failed(`service ${s.name}`))));
    const secrets = await swarm.listSecrets({ [Labels.run]: runId });
    await Promise.all(secrets.map((s) => swarm.removeSecret(s.id).catch(failed(`secret ${s.name}`))));
  } catch (error) {
    logger.error(`Could not check the swarm for services and secrets of run ${runId}: ${String(error)}; look for label ${Labels.run}=${runId}`);
  }
}
