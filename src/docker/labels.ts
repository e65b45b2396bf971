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
} as const;
