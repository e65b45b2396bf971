# Sourced by the scripts that start or stop daemons (setup-engine.sh, start-remote-engine.sh,
# setup-swarm-lab.sh, teardown-swarm-lab.sh): who a pid file's pid is now.
#
# A pid file outlives its process whenever the machine's processes end without the daemon's own
# clean-up (a killed session, a reboot with a persistent /run or /tmp). Its pid is then reused, and
# on a machine whose processes all start afresh the same pids come back in much the same order, so a
# stale pid file often names a live process that is something else. dockerd refuses to start while
# its pid file names any live process, and it takes a live pid in its exec root's containerd.pid for
# its own containerd (it waits for that containerd's socket, then kills the pid to restart it). So a
# pid counts as the daemon only if its program name and one of its arguments say so.

pid_of() { cat "$1" 2>/dev/null || true; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# Whether PID runs the program NAME with MARK as one of its arguments (any arguments if MARK is empty).
runs() {
  local pid=$1 name=$2 mark=${3:-}
  alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  [ -z "$mark" ] || tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | grep -qxF -- "$mark"
}

# Removes PIDFILE unless its pid runs NAME with MARK: a file left by a daemon that is gone.
clear_stale_pidfile() {
  local file=$1 name=$2 mark=${3:-} pid
  [ -e "$file" ] || return 0
  pid=$(pid_of "$file")
  runs "$pid" "$name" "$mark" && return 0
  rm -f "$file"
}

# Before a dockerd is started with pid file PIDFILE (its argument MARK tells it from other dockerds)
# and exec root EXEC_ROOT: removes both pid files it would trust if they were left by daemons now gone.
clear_stale_engine_pidfiles() {
  local pidfile=$1 mark=$2 exec_root=$3
  clear_stale_pidfile "$pidfile" dockerd "$mark"
  clear_stale_pidfile "$exec_root/containerd/containerd.pid" containerd "$exec_root/containerd/containerd.toml"
}
