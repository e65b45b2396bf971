#!/usr/bin/env bash
# Makes sure the OpenSSH client and server binaries exist: pmt reaches ssh:// engines through the
# system `ssh`, and the tests start their own `sshd` (random loopback port, key-only, config and keys
# in a temp dir) to drive that path. Idempotent and quiet when both are there. Needs root on Debian
# only when something is missing.
#
# Installing Debian's openssh-server must not start a system sshd on port 22: when the machine has no
# policy-rc.d of its own, one that forbids service starts is put in place for the install only.
set -euo pipefail

say() { echo "[setup-sshd] $*" >&2; }
die() { say "error: $*"; exit 1; }

have_all() { [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null && command -v ssh-agent >/dev/null; }

have_all && exit 0

[ "$(id -u)" = 0 ] && [ -r /etc/debian_version ] && command -v apt-get >/dev/null ||
  die "the OpenSSH client and server are missing; install them (Debian: apt-get install openssh-client openssh-server)"

POLICY=/usr/sbin/policy-rc.d
placed_policy=
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# placed by pmt scripts/setup-sshd.sh while installing openssh-server\nexit 101\n' >"$POLICY"
  chmod 0755 "$POLICY"
  placed_policy=1
fi
cleanup() { if [ -n "$placed_policy" ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

say "installing Debian's openssh-client and openssh-server (no service is started)"
DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-client openssh-server >/dev/null
have_all || die "openssh-server was installed but /usr/sbin/sshd, ssh, ssh-keygen or ssh-agent is still missing"
