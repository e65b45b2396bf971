/** Labels on every container pmt creates; the reaper and the tests find containers by them. */
export const Labels = {
  run: 'pmt.run',
  plugin: 'pmt.plugin',
  pid: 'pmt.pid',
  host: 'pmt.host',
} as const;
