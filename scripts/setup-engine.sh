#!/usr/bin/env bash
# Makes sure a Docker engine answers and the base image debian:bookworm-slim exists.
# Idempotent and quiet when everything is already there. Used by the README commands and .ci/run.
# On a machine where Docker already runs, it touches nothing.
set -euo pipefail

BASE_IMAGE="debian:bookworm-slim"
STATE_DIR="${PMT_ENGINE_STATE_DIR:-${TMPDIR:-/tmp}/pmt-engine}"
WAIT_SECONDS="${PMT_ENGINE_WAIT_SECONDS:-60}"

say() { echo "[setup-engine] $*" >&2; }
die() { say "error: $*"; exit 1; }
# shellcheck source=wait-for-dockerd.sh
. "$(dirname "$0")/wait-for-dockerd.sh"
# shellcheck source=pidfile.sh
. "$(dirname "$0")/pidfile.sh"

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

is_root_on_debian() { [ "$(id -u)" = 0 ] && [ -r /etc/debian_version ] && command -v apt-get >/dev/null; }

apt_install() {
  # 'apt-get update' once per set-up run: package lookups need a fresh list.
  if [ -z "${APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

start_engine() {
  if [ -n "${DOCKER_HOST:-}" ]; then
    die "DOCKER_HOST=$DOCKER_HOST is set but no engine answers there. Start that engine or unset DOCKER_HOST."
  fi
  is_root_on_debian || die "no Docker engine answers. Install and start Docker (https://docs.docker.com/engine/install/), or set DOCKER_HOST to a running engine."
  if ! command -v dockerd >/dev/null; then
    say "installing Debian's docker.io"
    apt_install docker.io
  fi
  mkdir -p "$STATE_DIR"
  # dockerd's default pid file and exec root, as a previous engine on this machine may have left them.
  # Its own pid file counts as live while any dockerd has that pid: a starting engine keeps its guard.
  clear_stale_engine_pidfiles /var/run/docker.pid "" /var/run/docker
  say "starting dockerd (log: $STATE_DIR/dockerd.log)"
  # No bridge network: pmt runs plugin containers with network 'none' (or 'host' when asked).
  nohup dockerd --bridge=none --iptables=false >"$STATE_DIR/dockerd.log" 2>&1 &
  echo $! >"$STATE_DIR/dockerd.pid"
  wait_for_dockerd dockerd "$(cat "$STATE_DIR/dockerd.pid")" "$STATE_DIR/dockerd.log" "$WAIT_SECONDS" engine_answers
  say "engine is up: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
}

make_base_image() {
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  # A registry may be reachable on other machines: try it first, briefly.
  if timeout 30 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then
    return 0
  fi
  is_root_on_debian || die "$BASE_IMAGE is not present and cannot be pulled; pull or import it, then run this again."
  command -v debootstrap >/dev/null || { say "installing debootstrap"; apt_install debootstrap; }
  local root
  root="$(mktemp -d "${TMPDIR:-/tmp}/pmt-rootfs.XXXXXX")"
  say "building $BASE_IMAGE offline with debootstrap (about 30 s)"
  if ! debootstrap --variant=minbase bookworm "$root" >"$root.log" 2>&1; then
    tail -n 20 "$root.log" >&2 || true
    rm -rf "$root"
    die "debootstrap failed; its log is above."
  fi
  # Keep the image small and apt usable inside docker builds.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import - "$BASE_IMAGE" >/dev/null
  rm -rf "$root" "$root.log"
  say "imported $BASE_IMAGE"
}

engine_answers || start_engine
make_base_image
