#!/usr/bin/env bash
# apt-install.sh PACKAGE... — installs Debian packages quietly, without starting any service they
# ship (openssh-server would start sshd on port 22, docker-registry a registry on :5000): when the
# machine has no policy-rc.d of its own, one that forbids service starts is in place for the install.
# Needs root on Debian; says so otherwise.
set -euo pipefail

say() { echo "[apt-install] $*" >&2; }

[ "$(id -u)" = 0 ] && [ -r /etc/debian_version ] && command -v apt-get >/dev/null || {
  say "error: $* missing; install them (Debian: apt-get install $*)"
  exit 1
}

POLICY=/usr/sbin/policy-rc.d
placed_policy=
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# placed by pmt scripts/apt-install.sh while installing packages\nexit 101\n' >"$POLICY"
  chmod 0755 "$POLICY"
  placed_policy=1
fi
cleanup() { if [ -n "$placed_policy" ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

say "installing Debian's $* (no service is started)"
DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
