#!/bin/sh
# Installs ScanCode Toolkit from its official release archive into /opt/scancode-toolkit.
# Run by the Dockerfile; SCANCODE_VERSION and (optional) SCANCODE_SHA256 come from build args.
set -eu
asset="scancode-toolkit-v${SCANCODE_VERSION}_py3.11-linux.tar.gz"
url="https://github.com/aboutcode-org/scancode-toolkit/releases/download/v${SCANCODE_VERSION}/${asset}"
echo "Downloading ${url}"
# No retries and a short connect timeout: where the release is unreachable, fail in seconds.
rc=0
curl -fsSL --retry 0 --connect-timeout 10 --max-time 900 -o /tmp/scancode.tar.gz "${url}" || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "ERROR: cannot download ${asset} (curl exit ${rc}); see plugins/scancode/README.md" >&2
  echo "This build needs GitHub release downloads; elsewhere use a published ScanCode image." >&2
  exit 1
fi
if [ -n "${SCANCODE_SHA256:-}" ]; then
  echo "${SCANCODE_SHA256}  /tmp/scancode.tar.gz" | sha256sum -c -
fi
mkdir -p /opt/scancode-toolkit
tar -xzf /tmp/scancode.tar.gz -C /opt/scancode-toolkit --strip-components=1
rm /tmp/scancode.tar.gz
cd /opt/scancode-toolkit
# The archive bundles every wheel and virtualenv.pyz: configure installs offline from them.
./configure
# Build the license index now, so that scans never write into the install directory.
./venv/bin/scancode-reindex-licenses
ln -s /opt/scancode-toolkit/venv/bin/scancode /usr/local/bin/scancode
scancode --version
