#!/usr/bin/env bash
# The swarm test lab: a real two-node Docker Swarm and a real image registry on this machine.
#   bridge pmtlab0 10.231.77.1/24 (the host side: the registry and pmt's REST endpoint listen here)
#   (the nodes' own networks, docker_gwbridge and the swarm's ingress, use 10.231.77.128/25)
#   netns pmtlab-n1 10.231.77.11: dockerd, swarm manager (unix:///run/pmt-swarm-lab/n1/docker.sock)
#   netns pmtlab-n2 10.231.77.12: dockerd, swarm worker  (unix:///run/pmt-swarm-lab/n2/docker.sock)
#   docker-registry with htpasswd on 10.231.77.1:5005 (the nodes pull) and, with the same storage,
#   on 127.0.0.1:5006 (the main engine pushes: it trusts loopback registries without daemon flags)
# The bundled plugin images that exist locally and the test image pmt-test/curl:1 are pushed there.
# State for the tests and benches: /run/pmt-swarm-lab/lab.json. Idempotent and quiet when all is up;
# after a reboot (processes gone, swarm state kept in /var/lib/pmt-swarm-lab) it brings the same
# swarm back. Never touches the main engine's configuration. Undo with scripts/teardown-swarm-lab.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

RUN_DIR=/run/pmt-swarm-lab
LIB_DIR=/var/lib/pmt-swarm-lab
BRIDGE=pmtlab0
HOST_ADDR=10.231.77.1
NODES=(n1 n2)
declare -A NODE_ADDR=([n1]=10.231.77.11 [n2]=10.231.77.12)
# Networks the nodes' engines make themselves (docker_gwbridge on each node, the swarm's ingress
# overlay) come from the upper half of the range, which the nodes' own /25 route leaves free (a local
# pool that overlaps a route of the node is skipped by dockerd).
LOCAL_POOL=10.231.77.128/26
SWARM_POOL=10.231.77.192/26
REG_PULL=$HOST_ADDR:5005
REG_PUSH=127.0.0.1:5006
REG_USER=pmt-lab
REG_DIR=$LIB_DIR/registry
PASSWORD_FILE=$REG_DIR/password
TEST_IMAGE=pmt-test/curl:1
WAIT_SECONDS=${PMT_SWARM_LAB_WAIT_SECONDS:-60}

say() { echo "[setup-swarm-lab] $*" >&2; }
die() { say "error: $*"; exit 1; }
# shellcheck source=wait-for-dockerd.sh
. scripts/wait-for-dockerd.sh
node_docker() { local n=$1; shift; docker -H "unix://$RUN_DIR/$n/docker.sock" "$@"; }
# shellcheck source=pidfile.sh
. scripts/pidfile.sh

[ "$(id -u)" = 0 ] || die "the swarm lab needs root (network namespaces, dockerd)."
# iproute2 is not part of every minimal Debian (container images, slim cloud images); util-linux
# (nsenter, unshare, setsid, flock) is essential, dockerd/docker/node come from scripts/setup.sh.
command -v ip >/dev/null || bash scripts/apt-install.sh iproute2
for tool in ip nsenter unshare dockerd docker node; do
  command -v "$tool" >/dev/null || die "$tool is missing; run scripts/setup.sh first."
done
bash scripts/setup-registry.sh
mkdir -p "$RUN_DIR" "$LIB_DIR"
chmod 0755 "$RUN_DIR"
chmod 0700 "$LIB_DIR"
# One set-up or teardown at a time (two `npm run test:all` on one machine). The daemons started
# below must not inherit the lock's descriptor (they would hold the lock for as long as they run).
exec 9>"$LIB_DIR/setup.lock"
flock 9

# --- network: the bridge on the host, one namespace and veth per node (10.231.77.N/25). No default
# route in the namespaces: the nodes reach only the lab's addresses (this host forwards packets, so a
# default route via the bridge would let tasks reach other networks).
setup_network() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr replace "$HOST_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local n ns veth
  for n in "${NODES[@]}"; do
    ns=pmtlab-$n veth=pmtlab-${n}h
    # /run may be on disk (it is here): after a restart the name stays as a plain file while the
    # namespace is gone, and every `ip -n` on it fails. Such a stale name is removed and made anew.
    if ! mountpoint -q "/run/netns/$ns"; then
      ip netns del "$ns" 2>/dev/null || rm -f "/run/netns/$ns"
      ip netns add "$ns"
    fi
    # A pair whose other end is not in this namespace (a namespace deleted and made anew) is of no use.
    if ! ip link show "$veth" >/dev/null 2>&1 || ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
      ip link del "$veth" 2>/dev/null || true
      ip -n "$ns" link del eth0 2>/dev/null || true
      ip link add "$veth" type veth peer name eth0 netns "$ns"
    fi
    ip link set "$veth" master "$BRIDGE" up
    if [ "$(ip -n "$ns" -4 -o addr show dev eth0 | awk '{print $4}')" != "${NODE_ADDR[$n]}/25" ]; then
      ip -n "$ns" addr flush dev eth0
      ip -n "$ns" addr add "${NODE_ADDR[$n]}/25" dev eth0
    fi
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
}

# --- one dockerd per node, in its namespace (nsenter, not `ip netns exec`, which remounts /sys and
# hides the cgroup mounts) and in its own UTS namespace, so each node has its own host name.
start_dockerd() {
  local n=$1 dir=$RUN_DIR/$1
  node_docker "$n" version >/dev/null 2>&1 && return 0
  mkdir -p "$dir" "$LIB_DIR/$n/docker"
  local pid
  pid=$(pid_of "$dir/dockerd.pid")
  if ! runs "$pid" dockerd "unix://$dir/docker.sock"; then
    clear_stale_engine_pidfiles "$dir/dockerd.pid" "unix://$dir/docker.sock" "$dir/exec"
    # An empty config file: /etc/docker/daemon.json belongs to the main engine.
    [ -e "$LIB_DIR/$n/daemon.json" ] || echo '{}' >"$LIB_DIR/$n/daemon.json"
    setsid nsenter --net="/run/netns/pmtlab-$n" \
      unshare --uts sh -c 'printf %s "$0" >/proc/sys/kernel/hostname && exec dockerd "$@"' "pmtlab-$n" \
      --config-file "$LIB_DIR/$n/daemon.json" \
      -H "unix://$dir/docker.sock" \
      --data-root "$LIB_DIR/$n/docker" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
      --containerd-namespace "pmtlab-$n" --containerd-plugins-namespace "pmtlab-$n-plugins" \
      --bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
      --insecure-registry "$REG_PULL" --default-address-pool "base=$LOCAL_POOL,size=28" \
      </dev/null >>"$dir/dockerd.log" 2>&1 9>&- &
    pid=$!
  fi
  wait_for_dockerd "dockerd of node $n" "$pid" "$dir/dockerd.log" "$WAIT_SECONDS" node_docker "$n" version
}

# The node's swarm state once it has settled (a restarted node is `pending` while it reconnects).
swarm_state() {
  local n=$1 state waited=0
  while :; do
    state=$(node_docker "$n" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}} {{.Swarm.NodeAddr}}')
    case "$state" in pending*) ;; *) echo "$state"; return 0 ;; esac
    [ "$waited" -lt 300 ] || { echo "$state"; return 0; }
    sleep 0.1
    waited=$((waited + 1))
  done
}

setup_swarm() {
  local addr1=${NODE_ADDR[n1]} addr2=${NODE_ADDR[n2]} state
  read -r -a state <<<"$(swarm_state n1)"
  if [ "${state[0]}" != active ] || [ "${state[1]}" != true ] || [ "${state[3]}" != "$addr1" ]; then
    # Not a manager of a working swarm (never was, or a state it cannot recover from): start anew.
    [ "${state[0]}" = inactive ] || node_docker n1 swarm leave --force >/dev/null 2>&1 || true
    node_docker n1 swarm init --advertise-addr "$addr1" --listen-addr "$addr1:2377" \
      --default-addr-pool "$SWARM_POOL" --default-addr-pool-mask-length 28 >/dev/null
  fi
  local manager_id worker_id
  manager_id=$(node_docker n1 info --format '{{.Swarm.NodeID}}')
  read -r -a state <<<"$(swarm_state n2)"
  worker_id=${state[2]:-}
  if [ "${state[0]}" != active ] || ! node_docker n1 node inspect "$worker_id" >/dev/null 2>&1; then
    [ "${state[0]}" = inactive ] || node_docker n2 swarm leave --force >/dev/null 2>&1 || true
    node_docker n2 swarm join --token "$(node_docker n1 swarm join-token -q worker)" \
      --advertise-addr "$addr2" --listen-addr "$addr2:2377" "$addr1:2377" >/dev/null
    worker_id=$(node_docker n2 info --format '{{.Swarm.NodeID}}')
  fi
  # Nodes that left earlier (a worker that re-joined gets a new id) would stay Down forever.
  local id
  for id in $(node_docker n1 node ls --quiet); do
    [ "$id" = "$manager_id" ] || [ "$id" = "$worker_id" ] || node_docker n1 node rm --force "$id" >/dev/null
  done
  local waited=0
  until [ "$(node_docker n1 node inspect --format '{{.Status.State}}' "$manager_id" "$worker_id" | sort -u)" = ready ]; do
    [ "$waited" -lt "$((WAIT_SECONDS * 10))" ] || die "the swarm nodes are not both Ready after ${WAIT_SECONDS}s: $(node_docker n1 node ls 2>&1)"
    sleep 0.1
    waited=$((waited + 1))
  done
  # Tests tell the nodes apart by this label too (the host names differ as well).
  local n
  for n in n1 n2; do
    id=$([ "$n" = n1 ] && echo "$manager_id" || echo "$worker_id")
    [ "$(node_docker n1 node inspect --format '{{index .Spec.Labels "pmt.lab.node"}}' "$id")" = "$n" ] ||
      node_docker n1 node update --label-add "pmt.lab.node=$n" "$id" >/dev/null
  done
  MANAGER_ID=$manager_id WORKER_ID=$worker_id
}

# --- the registry: one config and storage, two listeners.
setup_registry() {
  mkdir -p "$REG_DIR/data"
  chmod 0700 "$REG_DIR"
  if [ ! -s "$PASSWORD_FILE" ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$PASSWORD_FILE")
    rm -f "$REG_DIR/htpasswd"
  fi
  [ -s "$REG_DIR/htpasswd" ] || htpasswd -Bbn "$REG_USER" "$(cat "$PASSWORD_FILE")" >"$REG_DIR/htpasswd"
  cat >"$REG_DIR/config.yml.new" <<EOF
version: 0.1
log: { level: info, formatter: json, accesslog: { disabled: true } }
storage:
  filesystem: { rootdirectory: $REG_DIR/data }
  delete: { enabled: true }
http: { addr: "$REG_PUSH", secret: pmt-swarm-lab }
auth: { htpasswd: { realm: pmt-swarm-lab, path: $REG_DIR/htpasswd } }
EOF
  local addr port pid waited changed=false
  cmp -s "$REG_DIR/config.yml.new" "$REG_DIR/config.yml" || changed=true
  mv "$REG_DIR/config.yml.new" "$REG_DIR/config.yml"
  for addr in "$REG_PULL" "$REG_PUSH"; do
    port=${addr##*:}
    pid=$(pid_of "$RUN_DIR/registry-$port.pid")
    if $changed && runs "$pid" docker-registry "$REG_DIR/config.yml"; then
      kill "$pid" && while alive "$pid"; do sleep 0.1; done
    fi
    if ! runs "$pid" docker-registry "$REG_DIR/config.yml"; then
      REGISTRY_HTTP_ADDR=$addr setsid docker-registry serve "$REG_DIR/config.yml" </dev/null >>"$RUN_DIR/registry-$port.log" 2>&1 9>&- &
      pid=$!
      echo "$pid" >"$RUN_DIR/registry-$port.pid"
    fi
    waited=0
    until (exec 3<>"/dev/tcp/${addr%:*}/$port") 2>/dev/null; do
      alive "$pid" || { tail -n 20 "$RUN_DIR/registry-$port.log" >&2; die "docker-registry on $addr exited; its log is above."; }
      [ "$waited" -lt 150 ] || die "docker-registry did not listen on $addr within 15 s; see $RUN_DIR/registry-$port.log"
      sleep 0.1
      waited=$((waited + 1))
    done
  done
}

# The manifest digest and config digest (= image id) of REPO:TAG in the registry, or nothing.
registry_manifest() {
  REG=$REG_PUSH REG_USER=$REG_USER PASSWORD_FILE=$PASSWORD_FILE node --input-type=module -e '
    const [ref] = process.argv.slice(1);
    const i = ref.lastIndexOf(":");
    const pass = (await import("node:fs")).readFileSync(process.env.PASSWORD_FILE, "utf8").trim();
    const answer = await fetch(`http://${process.env.REG}/v2/${ref.slice(0, i)}/manifests/${ref.slice(i + 1)}`, {
      headers: {
        authorization: "Basic " + Buffer.from(`${process.env.REG_USER}:${pass}`).toString("base64"),
        accept: "application/vnd.docker.distribution.manifest.v2+json",
      },
    });
    if (answer.ok) console.log(answer.headers.get("docker-content-digest"), (await answer.json()).config?.digest ?? "");
  ' "$1"
}

# Pushes IMAGE (REPO:TAG on the main engine) through 127.0.0.1:5006 unless the registry has it
# already; prints the manifest digest. Leaves no tag or digest reference of its own on the engine.
push_image() {
  local image=$1 id have
  id=$(docker image inspect --format '{{.Id}}' "$image")
  read -r -a have <<<"$(registry_manifest "$image")"
  if [ "${have[1]:-}" != "$id" ]; then
    local ref=$REG_PUSH/$image
    docker tag "$image" "$ref"
    if ! DOCKER_CONFIG=$LIB_DIR/docker-config docker push "$ref" >"$RUN_DIR/push.log" 2>&1; then
      docker rmi "$ref" >/dev/null 2>&1 || true
      cat "$RUN_DIR/push.log" >&2
      die "pushing $image to the lab registry failed; the output is above."
    fi
    docker rmi "$ref" >/dev/null
    read -r -a have <<<"$(registry_manifest "$image")"
    [ "${have[1]:-}" = "$id" ] || die "the lab registry does not hold $image after the push."
    # The push recorded REPO@DIGEST on the main engine's image: remove that reference too.
    docker rmi "$REG_PUSH/${image%:*}@${have[0]}" >/dev/null 2>&1 || true
  fi
  echo "${have[0]}"
}

setup_images() {
  docker image inspect "$TEST_IMAGE" >/dev/null 2>&1 ||
    docker build --quiet --network host -t "$TEST_IMAGE" test/support/images/curl >/dev/null
  mkdir -p "$LIB_DIR/docker-config"
  chmod 0700 "$LIB_DIR/docker-config"
  DOCKER_CONFIG=$LIB_DIR/docker-config docker login --username "$REG_USER" --password-stdin "$REG_PUSH" \
    <"$PASSWORD_FILE" >/dev/null 2>&1 || die "docker login to the lab registry $REG_PUSH failed."
  IMAGES=()
  local image
  for image in "$TEST_IMAGE" $(sed -n 's/^ *docker_image: *//p' plugins.yaml); do
    docker image inspect "$image" >/dev/null 2>&1 || continue
    IMAGES+=("$image=$(push_image "$image")=$(docker image inspect --format '{{.Id}}' "$image")")
  done
  # Both nodes hold the test image already, so tests and benches do not wait for its first pull.
  local n
  for n in "${NODES[@]}"; do
    node_docker "$n" image inspect "$REG_PULL/$TEST_IMAGE" >/dev/null 2>&1 && continue
    printf %s "$(cat "$PASSWORD_FILE")" | DOCKER_CONFIG=$RUN_DIR/$n docker -H "unix://$RUN_DIR/$n/docker.sock" \
      login --username "$REG_USER" --password-stdin "$REG_PULL" >/dev/null 2>&1 ||
      die "node $n cannot log in to the lab registry $REG_PULL."
    DOCKER_CONFIG=$RUN_DIR/$n node_docker "$n" pull --quiet "$REG_PULL/$TEST_IMAGE" >/dev/null
    rm -f "$RUN_DIR/$n/config.json"
  done
}

write_state() {
  local tmp=$RUN_DIR/lab.json.new
  OUT=$tmp LAB_IMAGES="${IMAGES[*]}" node --input-type=module -e '
    const [runDir, hostAddr, pull, push, user, passwordFile, managerId, workerId, a1, a2] = process.argv.slice(1);
    const node = (name, role, id, addr) => ({
      name, role, id, addr, hostname: `pmtlab-${name}`, dockerHost: `unix://${runDir}/${name}/docker.sock`, netns: `pmtlab-${name}`,
      dockerdLog: `${runDir}/${name}/dockerd.log`,
    });
    const images = Object.fromEntries(process.env.LAB_IMAGES.split(" ").filter(Boolean).map((entry) => {
      const [local, digest, id] = entry.split("=");
      return [local, { ref: `${pull}/${local}`, digest, pinned: `${pull}/${local.slice(0, local.lastIndexOf(":"))}@${digest}`, id }];
    }));
    const state = {
      version: 1,
      hostAddr,
      bridge: "pmtlab0",
      manager: node("n1", "manager", managerId, a1),
      worker: node("n2", "worker", workerId, a2),
      registry: { pull, push, user, passwordFile, pullLog: `${runDir}/registry-${pull.split(":")[1]}.log` },
      images,
    };
    (await import("node:fs")).writeFileSync(process.env.OUT, JSON.stringify(state, null, 2) + "\n");
  ' "$RUN_DIR" "$HOST_ADDR" "$REG_PULL" "$REG_PUSH" "$REG_USER" "$PASSWORD_FILE" "$MANAGER_ID" "$WORKER_ID" \
    "${NODE_ADDR[n1]}" "${NODE_ADDR[n2]}"
  mv "$tmp" "$RUN_DIR/lab.json"
}

# The daemons append to their logs (tests read them: pull errors, registry requests); a log past
# 64 MiB is emptied here, between test runs (appending writers carry on at its new end).
trim_logs() {
  local log
  for log in "$RUN_DIR"/registry-*.log "$RUN_DIR"/n*/dockerd.log; do
    [ -f "$log" ] && [ "$(stat -c %s "$log")" -gt $((64 << 20)) ] && : >"$log"
  done
  return 0
}

setup_network
setup_registry
for n in "${NODES[@]}"; do start_dockerd "$n"; done
setup_swarm
setup_images
write_state
trim_logs
