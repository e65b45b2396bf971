#!/usr/bin/env bash
# Removes what scripts/setup-swarm-lab.sh made, by its pidfiles and names: both nodes leave the
# swarm, their dockerd (and the containerd each started) and both registry processes stop, the
# namespaces pmtlab-n1/pmtlab-n2 (with their veths) and the bridge pmtlab0 go, and /run/pmt-swarm-lab.
# /var/lib/pmt-swarm-lab (the nodes' images, the registry's storage and password) stays, so the next
# set-up is fast; `--purge` removes it too. Quiet when there is nothing to remove.
set -euo pipefail

RUN_DIR=/run/pmt-swarm-lab
LIB_DIR=/var/lib/pmt-swarm-lab
purge=false
case "${1:-}" in
  --purge) purge=true ;;
  '') ;;
  *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
esac

say() { echo "[teardown-swarm-lab] $*" >&2; }
# shellcheck source=pidfile.sh
. "$(dirname "$0")/pidfile.sh"
[ "$(id -u)" = 0 ] || { say "error: needs root"; exit 1; }
if [ -d "$LIB_DIR" ]; then
  exec 9>"$LIB_DIR/setup.lock"
  flock 9
fi

# Stops the process in PIDFILE if it is still the program NAME the lab started, i.e. one of its
# arguments is MARK (a reused pid, e.g. the main engine's dockerd after a restart, is left alone).
stop_pid() {
  local pidfile=$1 name=$2 mark=$3 pid waited=0
  pid=$(pid_of "$pidfile")
  runs "$pid" "$name" "$mark" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  while alive "$pid"; do
    if [ "$waited" -ge 300 ]; then
      say "$name ($pid) did not stop within 30 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

for n in n2 n1; do
  sock=$RUN_DIR/$n/docker.sock
  if [ -S "$sock" ] && docker -H "unix://$sock" version >/dev/null 2>&1; then
    docker -H "unix://$sock" swarm leave --force >/dev/null 2>&1 || true
  fi
  stop_pid "$RUN_DIR/$n/dockerd.pid" dockerd "unix://$sock"
  # The containerd that dockerd started under its exec-root stops with it; if dockerd was killed, stop it here.
  stop_pid "$RUN_DIR/$n/exec/containerd/containerd.pid" containerd "$RUN_DIR/$n/exec/containerd/containerd.toml"
  # dockerd bind-mounts its data root onto itself and undoes that when it stops cleanly, not when killed.
  if ! docker -H "unix://$sock" version >/dev/null 2>&1; then
    while mountpoint -q "$LIB_DIR/$n/docker"; do umount "$LIB_DIR/$n/docker" || break; done
  fi
done
for port in 5005 5006; do stop_pid "$RUN_DIR/registry-$port.pid" docker-registry "$LIB_DIR/registry/config.yml"; done

for n in n1 n2; do
  if [ -e "/run/netns/pmtlab-$n" ]; then ip netns del "pmtlab-$n"; fi
  ip link del "pmtlab-${n}h" 2>/dev/null || true
done
ip link del pmtlab0 2>/dev/null || true

# Mounts a killed dockerd may leave under its own directories (never anything else's).
unmount_under() {
  local dir=$1 target
  [ -d "$dir" ] || return 0
  { findmnt -rn -o TARGET | grep -F "$dir/" || true; } | sort -r | while read -r target; do umount -l "$target" 2>/dev/null || true; done
}
# Removes DIR only once nothing is mounted under it any more: a bind mount left there (a node's
# dockerd binds host paths into containers) must never be descended into by rm -rf, which would
# delete the host's files. --one-file-system is the second guard: rm skips any other file system.
remove_dir() {
  local dir=$1 left
  [ -e "$dir" ] || return 0
  unmount_under "$dir"
  left=$(findmnt -rn -o TARGET | grep -F "$dir/" || true)
  if [ -n "$left" ]; then
    say "error: still mounted under $dir, not removing it: $(echo "$left" | tr '\n' ' ')"
    return 1
  fi
  rm -rf --one-file-system "$dir"
}
remove_dir "$RUN_DIR"
if $purge; then remove_dir "$LIB_DIR"; fi
