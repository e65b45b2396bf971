#!/usr/bin/env bash
# Builds the image of every plugin in the registry that names a `build` directory, with `pmt build`
# (the one implementation): each image is built through the Docker engine from its directory
# (FROM the local debian:bookworm-slim, RUN steps on the host network) and labelled with the
# directory's hash (pmt.build-context), so unchanged directories are skipped and `pmt -l`, `pmt
# doctor` and `pmt scan` can say when an image is out of date. npm packages a build directory pins
# in `<dir>/*/package-lock.json` are installed on the host first, into pmt's cache (the npm registry
# is reached from the host, not from inside a build). A Dockerfile that says `# pmt-build: optional` may fail (e.g.
# it downloads from a site that is unreachable here): that plugin is skipped with a one-line
# reason. Any other failure fails (exit 1).
# Usage: scripts/build-plugins.sh [registry-file]   (default: the bundled plugins.yaml; needs `npm run build`)
set -euo pipefail
# A registry given on the command line is relative to where the script was called from.
REGISTRY="$(realpath "${1:-$(dirname "$0")/../plugins.yaml}")"
cd "$(dirname "$0")/.."
exec node dist/pmt.cjs build --quiet -r "$REGISTRY"
