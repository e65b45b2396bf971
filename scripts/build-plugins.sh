#!/usr/bin/env bash
# Builds the image of every plugin in the registry that names a `build` directory, from its
# Dockerfile (FROM the local debian:bookworm-slim), tagged as the registry's docker_image.
# Unchanged build directories are skipped: each image carries the hash of its directory (label
# pmt.build-context), which pmt computes (src/build/build-context-hash.ts) and compares in
# `pmt -l`, `pmt doctor` and `pmt scan` to say when an image is out of date.
# A build directory may pin npm packages for its image in `<dir>/*/package-lock.json`: they are
# installed on the host first (`npm ci --ignore-scripts`, no dev or optional packages), since the npm
# registry is reached from the host and not from inside a build; node_modules is left out of the hash.
# A Dockerfile that says `# pmt-build: optional` may fail (e.g. it downloads from a site that is
# unreachable here): that plugin is skipped with a one-line reason. Any other failure fails.
# Usage: scripts/build-plugins.sh [registry-file]   (default: the bundled plugins.yaml; needs `npm run build`)
set -euo pipefail
# A registry given on the command line is relative to where the script was called from.
REGISTRY="$(realpath "${1:-$(dirname "$0")/../plugins.yaml}")"
cd "$(dirname "$0")/.."

say() { echo "[build-plugins] $*" >&2; }

# npm ci for each pinned package set of a build directory, only when its lock file changed.
install_npm_packages() {
  local lock pkgdir stamp want
  for lock in "$1"/*/package-lock.json; do
    [ -f "$lock" ] || continue
    pkgdir=$(dirname "$lock")
    stamp="$pkgdir/node_modules/.pmt-lock-sha256"
    want=$(sha256sum "$lock" | cut -d' ' -f1)
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && continue
    say "installing the npm packages of $pkgdir"
    npm ci --prefix "$pkgdir" --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    echo "$want" >"$stamp"
  done
}

# name<TAB>image<TAB>build-dir<TAB>hash-now<TAB>hash-of-the-image for each plugin with a build
# directory, read by pmt's own loader (which also reports a broken registry, with positions, and
# stops the script) and hashed by pmt, so that the label means the same to both.
listed=$(node dist/pmt.mjs list --json -r "$REGISTRY")
plugins=$(printf '%s' "$listed" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    for (const p of JSON.parse(s).plugins) {
      if (p.build) console.log([p.name, p.image, p.build, p.buildHash ?? "-", p.imageBuildHash ?? "-"].join("\t"));
    }
  });')

failed=0
while IFS=$'\t' read -r name image dir hash current; do
  [ -n "$name" ] || continue
  if [ "$hash" = "-" ]; then say "error: $name: build directory $dir cannot be read"; failed=1; continue; fi
  install_npm_packages "$dir"
  if [ "$current" = "$hash" ]; then continue; fi
  log=$(mktemp "${TMPDIR:-/tmp}/pmt-build-$name.XXXXXX")
  start=$(date +%s)
  if docker build --network host --label "pmt.build-context=$hash" -t "$image" "$dir" >"$log" 2>&1; then
    say "built $image ($(( $(date +%s) - start ))s)"
    rm -f "$log"
  elif grep -q '^# pmt-build: optional' "$dir/Dockerfile"; then
    reason=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E 'ERROR|error|failed|Could not' | tail -n 1 | cut -c1-160)
    say "skipped $name: its build needs a download that failed here (${reason:-see $log}); pmt -l shows it as not built"
  else
    say "error: building $image from $dir failed; last lines of $log:"
    tail -n 15 "$log" >&2
    failed=1
  fi
done <<<"$plugins"
exit "$failed"
