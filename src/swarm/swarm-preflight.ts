import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { isLoopback } from '../config/advertise-addr.js';
import type { SwarmRuntime, SwarmState } from '../docker/swarm-runtime.js';
import { ExitCode, PmtError } from '../errors.js';

/** What a swarm run needs to know before it starts anything: that it talks to a manager, and where tasks reach pmt. */
export interface SwarmPreflight {
  readonly state: SwarmState;
  /** The IP address the REST endpoint listens on and tasks reach it at. */
  readonly advertiseAddr: string;
}

/** The engine's swarm facts, when it is a manager of an active swarm (scan, pull and doctor in swarm mode); a usage error otherwise. */
export async function requireSwarmManager(swarm: SwarmRuntime, endpoint: string): Promise<SwarmState> {
  const state = await swarm.swarmState();
  if (state.localState !== 'active') {
    throw new PmtError(`the Docker engine at ${endpoint} is not part of an active swarm (its swarm state: ${state.localState})`, {
      origin: 'docker',
      exitCode: ExitCode.usage,
      hint: 'point --docker-host / DOCKER_HOST at a swarm manager (`docker swarm init` makes one), or run without --swarm / "Engine": "swarm"',
    });
  }
  if (!state.manager) {
    throw new PmtError(`the Docker engine at ${endpoint} is a swarm worker, not a manager: only managers create services`, {
      origin: 'docker',
      exitCode: ExitCode.usage,
      hint: 'point --docker-host / DOCKER_HOST at a manager node (`docker node ls` on a manager lists them)',
    });
  }
  return state;
}

/** What to do when pmt cannot tell or use the address swarm tasks reach it at. */
const ADVERTISE_HINT = "set RestAdvertiseAddr (or --rest-advertise-addr) to this machine's address on the network the swarm nodes use";

/**
 * Checks that the engine is a manager of an active swarm and settles the advertise address: the
 * configured one, else the local address this machine would use to reach the manager's NodeAddr.
 */
export async function swarmPreflight(swarm: SwarmRuntime, endpoint: string, configured: string): Promise<SwarmPreflight> {
  const state = await requireSwarmManager(swarm, endpoint);
  const advertiseAddr = configured || (await localAddressToward(state.nodeAddr));
  if (isLoopback(advertiseAddr)) {
    throw new PmtError(`the swarm manager is reached over loopback (${advertiseAddr}), so swarm tasks on other nodes cannot reach pmt's REST endpoint there`, {
      origin: 'config',
      exitCode: ExitCode.usage,
      hint: ADVERTISE_HINT,
    });
  }
  return { state, advertiseAddr };
}

/**
 * The local address the kernel picks to reach `remote`: a UDP socket "connected" there (nothing is
 * sent) reports it. The port is irrelevant; the swarm's own (2377) is as good as any.
 */
export async function localAddressToward(remote: string): Promise<string> {
  const family = isIP(remote);
  if (family === 0) {
    throw new PmtError(`the swarm manager's node address "${remote}" is not an IP address, so pmt cannot tell which of its own addresses swarm nodes reach`, {
      origin: 'docker',
      exitCode: ExitCode.usage,
      hint: ADVERTISE_HINT,
    });
  }
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(2377, remote, () => resolve());
    });
    return socket.address().address;
  } catch (error) {
    throw new PmtError(`no route from this machine to the swarm manager's node address ${remote}: ${(error as Error).message}`, {
      origin: 'docker',
      exitCode: ExitCode.usage,
      hint: ADVERTISE_HINT,
      cause: error,
    });
  } finally {
    socket.close();
  }
}
