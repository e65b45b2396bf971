/**
 * Labels on every container and volume pmt creates; the reaper and the tests find them by these.
 * `pmt.run` ties an object to its run; `pmt.pid` and `pmt.host` only say who made it (for people
 * reading `docker ps`): a pid means nothing in another PID namespace or on another host, and pids
 * are reused, so liveness is never judged by them (see engine/run-liveness.ts).
 */
export const Labels = {
  run: 'pmt.run',
  plugin: 'pmt.plugin',
  pid: 'pmt.pid',
  host: 'pmt.host',
  /**
   * On a swarm service: how long (ms) its run waits for a node to take the task
   * (SwarmPlacementTimeout), so that another run's sweep keeps an unplaced service that long.
   */
  placementWait: 'pmt.placement-wait-ms',
} as const;
