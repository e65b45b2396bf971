// The phases of a plugin's run as pmt's debug log marks them, in order, for the timeline that
// parallel-timeline.mjs prints; test/e2e/rest-transport.test.ts checks that a real scan's log marks
// each of them, so the bench cannot silently lose a column.

/** `[phase, matches(msg)]` pairs; `cmd` is the plugin's command, as its log line shows it. */
export function timelinePhases(cmd) {
  return [
    ['create', (m) => m.startsWith('Creating the container')],
    // `echo test; curl -V`, or `echo test` alone where another plugin's container answered `curl -V`:
    // given to the main shell once attached, before the start, so that it answers as it starts.
    ['check', (m) => m.startsWith('Executing command in container') && / -c echo test(;|$)/.test(m)],
    ['attached', (m) => m.startsWith('Attached to the container')],
    ['started', (m) => m === 'Container started'],
    ['cmd', (m) => m.startsWith('Executing command in container') && m.includes(cmd)],
    ['upload', (m) => m.startsWith('Executing command in container: curl -F')],
    ['done', (m) => m.startsWith('Done:')],
    ['saved', (m) => m.startsWith('Saved ') && m.includes(' result file(s) in ')],
    ['removed', (m) => m.startsWith('Container removed')],
  ];
}
