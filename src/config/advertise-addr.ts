import { BlockList, isIP } from 'node:net';
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
  // A zone (`fe80::1%eth0`) names an interface of this machine: it means nothing on another node,
  // and a URL cannot carry it, so the tasks would be given an address they cannot use.
  if (address.includes('%')) return `"${address}" has a zone (${address.slice(address.indexOf('%'))}), which names an interface of this machine and means nothing to swarm nodes: give an address they route to, e.g. "fd00::5"`;
  return undefined;
}

/**
 * `0.0.0.0`, `::` and every other spelling of them, the IPv4-mapped `::ffff:0.0.0.0` included
 * (bound, it takes every IPv4 interface). False for what is not an IP address.
 */
export function isWildcard(address: string): boolean {
  return matches(address, (list) => {
    list.addAddress('0.0.0.0', 'ipv4');
    list.addAddress('::', 'ipv6');
  });
}

/** 127.0.0.0/8 and ::1 in any spelling, IPv4-mapped ones included: tasks on other nodes cannot reach these. */
export function isLoopback(address: string): boolean {
  return matches(address, (list) => {
    list.addSubnet('127.0.0.0', 8, 'ipv4');
    list.addAddress('::1', 'ipv6');
  });
}

/** Whether IP `address` is in the list `fill` makes (BlockList compares values, not spellings). */
function matches(address: string, fill: (list: BlockList) => void): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  fill(list);
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
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
