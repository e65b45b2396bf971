/**
 * A shell line that makes the (sub)shell it runs in, and so the command that shell goes on to run,
 * the kernel's first choice when the container runs out of memory. The OOM killer would otherwise
 * now and then take the shell that reports to pmt (the container's main shell, or a swarm task's
 * script) instead of the command that used the memory: about one run in fifteen here, with a
 * command that holds twice the limit. The command's exit status, its log's end and the collection
 * of its results then go with it. Raising one's own score needs no privilege; where /proc does not
 * allow it, the command runs as before, with nothing said.
 */
export const OOM_FIRST = 'echo 1000 2>/dev/null >/proc/self/oom_score_adj';
