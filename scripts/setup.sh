#!/usr/bin/env bash
# All set-up for a fresh machine, idempotent: Docker engine and base image, npm packages, the build,
# and the bundled plugin images. Used by both README commands and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-engine.sh
# OpenSSH client and server: ssh:// engines go through the system ssh; the tests run their own sshd.
bash scripts/setup-sshd.sh
# The reference image registry: the tests pull and push through a real one with a login.
bash scripts/setup-registry.sh
# npm ci only when node_modules was not installed from this very lock file.
stamp=node_modules/.pmt-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
npm run --silent build
bash scripts/build-plugins.sh plugins.yaml
# The two-node swarm lab with its registry (after the plugin images exist: it pushes them there).
bash scripts/setup-swarm-lab.sh
