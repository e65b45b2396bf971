# Sourced by setup-engine.sh and setup-swarm-lab.sh (which define `die`): waits until a freshly
# started dockerd answers.
#   wait_for_dockerd WHAT PID LOG SECONDS COMMAND...
# COMMAND (e.g. `docker -H … version`) is tried every 0.1 s; if the process PID ends first, or
# SECONDS pass, the log's tail is shown and the set-up fails with what to look at.
wait_for_dockerd() {
  local what=$1 pid=$2 log=$3 seconds=$4
  shift 4
  local waited=0
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2 || true
      die "$what exited while starting; its log is above."
    fi
    [ "$waited" -lt "$((seconds * 10))" ] || die "$what did not answer within ${seconds}s; see $log"
    sleep 0.1
    waited=$((waited + 1))
  done
}
