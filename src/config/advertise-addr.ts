import { isIP } from 'node:net';
import type { Problem } from '../errors.js';
import type { Config } from './config.js';

/**
 * Why an address cannot be RestAdvertiseAddr, or undefined when it can: it must be one IP address
 * of this machine that swarm nodes reach (pmt listens there, so a host name would be ambiguous),
 * never the wildcard, which would open the endpoint on every interface.
 */
export function advertiseAddrProblem(address: string): string | undefined {
  if (isIP(address) === 0) return `"${address}" is not an IP address: give the address of this machine that swarm nodes reach, e.g. "10.0.0.5"`;
  if (isWildcard(address)) return `"${address}" would open pmt's REST endpoint on every interface: give the one address of this machine that swarm nodes reach`;
  return undefined;
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || /^[0:]+$/.test(address);
}

/** 127.0.0.0/8, ::1 and ::ffff:127.x.y.z: tasks on other nodes cannot reach these. */
export function isLoopback(address: string): boolean {
  const v4 = address.replace(/^::ffff:/i, '');
  return /^127\./.test(v4) || address === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(address);
}

/**
 * What cannot work together in swarm mode, whichever source set it: tasks send results over TCP to
 * the REST endpoint (there is no archive copy out of a task through the manager), and on another
 * node a loopback address is that node's own.
 */
export function swarmConfigProblems(config: Pick<Config, 'engine' | 'restApi' | 'restAdvertiseAddr'>): Problem[] {
  if (config.engine !== 'swarm') return [];
  const problems: Problem[] = [];
  const file = 'swarm mode';
  if (!config.restApi) {
    problems.push({ file, message: 'RestApi is false, but swarm mode needs the REST endpoint: tasks on other nodes send their results to it over TCP (set "RestApi": true, or run without --swarm / "Engine": "swarm")' });
  }
  if (config.restAdvertiseAddr && isLoopback(config.restAdvertiseAddr)) {
    problems.push({ file, message: `RestAdvertiseAddr ${config.restAdvertiseAddr} is a loopback address: swarm tasks on other nodes cannot reach it (give this machine's address on the network the swarm nodes use, or leave it empty to use the one that reaches the manager)` });
  }
  return problems;
}
