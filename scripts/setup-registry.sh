#!/usr/bin/env bash
# Makes sure the reference image registry (Debian's docker-registry, distribution 2.8) and htpasswd
# exist: the tests start their own registry (loopback, random port, htpasswd auth, storage in a temp
# dir) to pull and push real images with credentials. Idempotent and quiet when both are there; the
# package's own registry service on :5000 is not started.
set -euo pipefail
cd "$(dirname "$0")"

have_all() { command -v docker-registry >/dev/null && command -v htpasswd >/dev/null; }

have_all && exit 0
bash apt-install.sh docker-registry apache2-utils
have_all || { echo "[setup-registry] error: docker-registry or htpasswd is still missing after the install" >&2; exit 1; }
