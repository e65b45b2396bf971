#!/usr/bin/env bash
# A second Docker engine that stands in for a remote one: it listens on tcp://127.0.0.1:PORT (and a
# unix socket of its own) with its own data root, exec root, pid file and containerd namespaces, so
# it shares no image, container or volume — and no filesystem view of /input — with the main engine.
# The tests point pmt at it to force the "engine elsewhere" path (input shipped as a tar stream).
#
# Usage: scripts/start-remote-engine.sh [start|stop|purge]
#   start (default)  idempotent: starts the engine unless it answers, then loads the base image into it
#   stop             stops it (waits for the exit); its data stays for a fast next start
#   purge            stops it and deletes its state directory
# Env: PMT_REMOTE_ENGINE_PORT (23750), PMT_REMOTE_ENGINE_DIR (${TMPDIR:-/tmp}/pmt-remote-engine),
#      PMT_ENGINE_WAIT_SECONDS (60).
# Needs root and dockerd (see scripts/setup-engine.sh); binds to 127.0.0.1 only, without TLS — dockerd
# warns about that, which is expected: nothing but this machine can reach it.
set -euo pipefail

PORT="${PMT_REMOTE_ENGINE_PORT:-23750}"
STATE_DIR="${PMT_REMOTE_ENGINE_DIR:-${TMPDIR:-/tmp}/pmt-remote-engine}"
WAIT_SECONDS="${PMT_ENGINE_WAIT_SECONDS:-60}"
BASE_IMAGE="debian:bookworm-slim"
TCP="tcp://127.0.0.1:$PORT"
PIDFILE="$STATE_DIR/dockerd.pid"

say() { echo "[remote-engine] $*" >&2; }
die() { say "error: $*"; exit 1; }
# shellcheck source=pidfile.sh
. "$(dirname "$0")/pidfile.sh"

# Only the main engine's CLI config and DOCKER_HOST must not leak into these calls.
remote() { DOCKER_HOST="$TCP" docker "$@"; }
main_engine() { env -u DOCKER_HOST docker "$@"; }

answers() { remote version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# The pid of this engine's dockerd: the pid file's pid only while it is a dockerd given that pid file.
running_pid() {
  local pid
  pid="$(pid_of "$PIDFILE")"
  runs "$pid" dockerd "$PIDFILE" && echo "$pid"
}

start() {
  if answers; then
    # Something answers on the port: it must be this engine, not the main one exposed on TCP.
    local root
    root="$(remote info --format '{{.DockerRootDir}}')"
    [ "$root" = "$STATE_DIR/data" ] || die "$TCP is answered by an engine with data root $root, not $STATE_DIR/data; pick another PMT_REMOTE_ENGINE_PORT"
  else
    [ "$(id -u)" = 0 ] || die "starting a second dockerd needs root"
    command -v dockerd >/dev/null || die "dockerd is not installed; run scripts/setup-engine.sh first"
    [ -z "$(running_pid)" ] || die "dockerd $(running_pid) from $PIDFILE runs but does not answer at $TCP; run '$0 stop' first"
    mkdir -p "$STATE_DIR/data" "$STATE_DIR/exec"
    clear_stale_engine_pidfiles "$PIDFILE" "$PIDFILE" "$STATE_DIR/exec"
    say "starting a second dockerd on $TCP (log: $STATE_DIR/dockerd.log)"
    # 9>&-: the daemon must not inherit the lock, or the next start would wait for it forever.
    nohup dockerd \
      -H "$TCP" -H "unix://$STATE_DIR/docker.sock" \
      --data-root "$STATE_DIR/data" --exec-root "$STATE_DIR/exec" --pidfile "$PIDFILE" \
      --containerd-namespace pmt-remote --containerd-plugins-namespace pmt-remote-plugins \
      --bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
      </dev/null >"$STATE_DIR/dockerd.log" 2>&1 9>&- &
    local child=$! waited=0
    until answers; do
      alive "$child" || { tail -n 20 "$STATE_DIR/dockerd.log" >&2 || true; die "dockerd exited while starting; its log is above"; }
      [ "$waited" -lt "$((WAIT_SECONDS * 10))" ] || die "dockerd did not answer at $TCP within ${WAIT_SECONDS}s; see $STATE_DIR/dockerd.log"
      sleep 0.1
      waited=$((waited + 1))
    done
    say "up: $(remote version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
  fi
  if ! remote image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    main_engine image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "$BASE_IMAGE is missing on the main engine too; run scripts/setup-engine.sh first"
    # No registry: the image travels from the main engine, as `docker save | docker load` would between machines.
    main_engine save "$BASE_IMAGE" | remote load -q >/dev/null
    say "loaded $BASE_IMAGE"
  fi
}

stop() {
  local pid waited=0
  pid="$(running_pid)" || { say "not running"; return 0; }
  kill -TERM "$pid"
  # dockerd stops its containers (10 s grace each at most) and its containerd before it exits.
  while alive "$pid"; do
    [ "$waited" -lt "$((WAIT_SECONDS * 10))" ] || die "dockerd $pid did not exit within ${WAIT_SECONDS}s"
    sleep 0.1
    waited=$((waited + 1))
  done
  say "stopped"
}

# Test files may call this at the same time: one start at a time, the others then find it up.
mkdir -p "$STATE_DIR"
exec 9>"$STATE_DIR/.lock"
flock 9

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  purge) stop && rm -rf "$STATE_DIR" && say "removed $STATE_DIR" ;;
  *) die "unknown command '$1' (start, stop or purge)" ;;
esac
