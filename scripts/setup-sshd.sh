#!/usr/bin/env bash
# Makes sure the OpenSSH client and server binaries exist: pmt reaches ssh:// engines through the
# system `ssh`, and the tests start their own `sshd` (random loopback port, key-only, config and keys
# in a temp dir) to drive that path. Idempotent and quiet when both are there; no system sshd is
# started by the install.
set -euo pipefail
cd "$(dirname "$0")"

have_all() { [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null && command -v ssh-agent >/dev/null; }

have_all && exit 0
bash apt-install.sh openssh-client openssh-server
have_all || { echo "[setup-sshd] error: openssh-server was installed but sshd, ssh, ssh-keygen or ssh-agent is still missing" >&2; exit 1; }
