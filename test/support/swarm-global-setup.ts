import { swarmLab } from './swarm-lab.js';

/**
 * The swarm tests need the two-node lab up: without it the run fails here (CI set or not, as for the
 * engine itself), naming the script that starts it, instead of passing by skipping.
 */
export default async function setup(): Promise<void> {
  await swarmLab();
}
