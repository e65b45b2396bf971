/**
 * A plugin command printing two lines: its own `oom_score_adj`, then that of the process that reports
 * it to pmt — the container's main shell, or a swarm task's script: the only child of the container's
 * init (`Init: true`), found by its parent pid in /proc. Always exits 0.
 */
export const OOM_SCORES_COMMAND =
  'cat /proc/self/oom_score_adj; for p in /proc/[0-9]*; do [ "$(cut -d" " -f4 $p/stat 2>/dev/null)" = 1 ] && cat $p/oom_score_adj; done; true';
