/** See timeline-phases.mjs. */
export function timelinePhases(cmd: string): [phase: string, matches: (msg: string) => boolean][];
