import { INPUT_DIR, RESULT_DIR } from '../agent/container-spec.js';
import { compatibilityScript } from '../agent/check-compatibility.js';
import { POST_RESULTS_SCRIPT } from '../transport/post-results-script.js';
import { REST_PROBE } from '../transport/rest-collector.js';
import { OOM_FIRST } from '../docker/oom-first.js';

/** Where the task reads its REST token (a swarm secret file; in tests a bind-mounted file). */
export const TASK_TOKEN_PATH = '/run/secrets/pmt-token';

/** Seconds between TCP keepalive probes of the lease connection (curl `--keepalive-time`). */
export const LEASE_KEEPALIVE_SECONDS = 5;

/**
 * What every step after the input runs under: no new privileges (API 1.41 services cannot set it),
 * an empty bounding set and no inheritable capabilities — like a local plugin container (all
 * capabilities dropped). A root plugin then reads the input, owned by nobody, as through a local
 * bind whose files belong to someone else (what "others" may read), but cannot write, chmod, chown,
 * delete or remount it (not the owner, no DAC override, no CAP_SYS_ADMIN), nor read the token file
 * (mode 0: only the task script, with the container's default capabilities, reads it). Keeping
 * `dac_read_search` would let it read more than locally — the token included, whatever its mode.
 */
const CONFINE = `--no-new-privs --bounding-set -all --inh-caps -all`;

/** Single-quotes one of pmt's own constant texts for the script (never plugin data). */
function quoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The task's main process (POSIX sh, run as root by the plugin's shell). Plugin data arrives only in
 * environment variables (PMT_TASK_SHELL, PMT_TASK_CMD, PMT_TASK_USER) and positional arguments (the
 * declared results); the step nonce and those variables are removed from the environment before
 * any step runs, and the token is read from its file only for the lease, the input and the upload
 * (through curl's config on stdin, never an argument). Each step is framed on stdout and stderr by
 * marker lines (each printed after a line break of its own, which the log parser drops again).
 */
export const TASK_SCRIPT = `
nonce=$PMT_STEP_NONCE; shell=$PMT_TASK_SHELL; cmd=$PMT_TASK_CMD; user=\${PMT_TASK_USER:-}
unset PMT_STEP_NONCE PMT_TASK_SHELL PMT_TASK_CMD PMT_TASK_USER PMT_TOKEN PMT_API_SOCKET
exec 5>&1 </dev/null
set -f; sep=$(printf '\\037')
trap 'exit 137' TERM
mark() {
  printf '\\n\\036pmt-step\\037%s\\037%s\\n' "$nonce" "$1"
  printf '\\n\\036pmt-step\\037%s\\037%s\\n' "$nonce" "$1" >&2
}
step() {
  current=$1; shift
  mark "begin$sep$current"
  "$@"; code=$?
  mark "end$sep$current$sep$code"
  [ "$code" -eq 0 ] || exit "$code"
}
read_token() {
  token=''; IFS= read -r token < ${TASK_TOKEN_PATH}
  [ -n "$token" ] || { echo 'pmt-task: no token in ${TASK_TOKEN_PATH}' >&2; return 1; }
}
auth() { printf 'header = "Authorization: Bearer %s"\\n' "$token"; }
lease() {
  auth | curl -sSN --fail -K - --keepalive-time ${LEASE_KEEPALIVE_SECONDS} -o /dev/null "$PMT_API_URL/lease"
  echo 'pmt-task: the lease on pmt ended (pmt is gone, or its run is over): stopping the task' >&2
  kill -TERM $$; kill -KILL 0
}
lookup() {
  [ -r "$1" ] || return 0
  # A last line without a line break counts too (read fails on it, but has filled the fields).
  while IFS=: read -r f1 f2 f3 f4 f5 f6 rest || [ -n "$f1" ]; do
    if [ "$f1" = "$2" ] || [ "$f3" = "$2" ]; then found_name=$f1; found_id=$f3; found_gid=$f4; found_home=$f6; return 0; fi
  done < "$1"
}
numeric() { case $1 in ''|*[!0-9]*) return 1 ;; esac; }
resolve_user() {
  ids=''; uid=0
  [ -n "$user" ] || return 0
  who=\${user%%:*}; group=''; case $user in *:*) group=\${user#*:} ;; esac
  found_name=''; found_id=''; found_gid=0; found_home=''
  lookup /etc/passwd "$who"
  if [ -n "$found_id" ]; then uid=$found_id; gid=$found_gid; login=$found_name; home=\${found_home:-/}
  elif numeric "$who"; then uid=$who; gid=0; login=''; home=/
  else echo "pmt-task: unable to find user $who: no matching entries in /etc/passwd" >&2; return 1; fi
  groups=--init-groups
  if [ -n "$group" ]; then
    found_id=''; lookup /etc/group "$group"
    if [ -n "$found_id" ]; then gid=$found_id
    elif numeric "$group"; then gid=$group
    else echo "pmt-task: unable to find group $group: no matching entries in /etc/group" >&2; return 1; fi
    groups=--clear-groups
  fi
  [ -n "$login" ] || groups=--clear-groups
  numeric "$uid" && numeric "$gid" || { echo "pmt-task: user $user has no numeric uid/gid in the image" >&2; return 1; }
  ids="--reuid $uid --regid $gid $groups"
  # The engine set HOME for the task's root (/root); a local container of this user gets its own
  # (its passwd entry's, else /), unless the image or the entry set HOME.
  [ "$uid" = 0 ] || [ "$HOME" != /root ] || export HOME="$home"
}
prepare() {
  read_token || return 125
  lease &
  resolve_user || return 125
  command -v setpriv >/dev/null || { echo 'pmt-task: setpriv (util-linux) is not in the image; swarm mode needs it' >&2; return 127; }
  command -v tar >/dev/null || { echo 'pmt-task: tar is not in the image; swarm mode needs it' >&2; return 127; }
  set +f
  for held in ${INPUT_DIR}/* ${INPUT_DIR}/.[!.]* ${INPUT_DIR}/..?*; do
    if [ -e "$held" ] || [ -L "$held" ]; then
      echo "pmt-task: ${INPUT_DIR} holds $held before the input arrived (its volume must be mounted with NoCopy)" >&2; return 1
    fi
  done
  set -f
  owner=65534; [ "$uid" != 65534 ] || owner=65533
  codes=$( { { auth | curl -sS --fail -K - "$PMT_API_URL/input?owner=$owner"; echo "c$?" >&3; } |
    { tar -x -p --same-owner --numeric-owner -C ${INPUT_DIR} -f - >&5; echo "t$?" >&3; }; } 3>&1 )
  fetched=\${codes#*c}; fetched=\${fetched%%[!0-9]*}; unpacked=\${codes#*t}; unpacked=\${unpacked%%[!0-9]*}
  [ "$fetched" = 0 ] || return "\${fetched:-1}"
  [ "$unpacked" = 0 ] || return "\${unpacked:-1}"
  [ "$uid" = 0 ] || chmod 0777 ${RESULT_DIR}
}
confined() ( ${OOM_FIRST}; exec setpriv ${CONFINE} $ids -- "$@" )
step check "$shell" -c ${quoted(compatibilityScript(REST_PROBE))}
step input prepare
step cmd confined "$shell" -c "$cmd"
export PMT_TOKEN="$token"
step upload confined "$shell" -c ${quoted(POST_RESULTS_SCRIPT)} pmt-post-results "$@"
exit 0
`;

export interface SwarmTaskOptions {
  /** The plugin's shell: it runs this script and every step. */
  readonly shell: string;
  readonly cmd: string;
  /** `user[:group]` of the entry or else the image; undefined or '' → root. */
  readonly user: string | undefined;
  readonly results: readonly string[];
  /** `http://ADDR:PORT` of pmt's REST endpoint, reachable from the node. */
  readonly apiUrl: string;
  /** newStepNonce(): the log parser needs the same one. */
  readonly nonce: string;
}

/**
 * The task's command and its own environment variables. Spread `env` last over the plugin's env and
 * the PMT_* variables (PMT_PLUGIN_NAME and PMT_PLUGIN_ID are needed by the upload), so an entry's
 * env cannot replace them. The token is not among them: it is read from TASK_TOKEN_PATH.
 */
export function swarmTaskCommand(options: SwarmTaskOptions): { command: string[]; env: Record<string, string> } {
  return {
    command: [options.shell, '-c', TASK_SCRIPT, 'pmt-task', ...options.results],
    env: {
      PMT_API_URL: options.apiUrl,
      PMT_STEP_NONCE: options.nonce,
      PMT_TASK_SHELL: options.shell,
      PMT_TASK_CMD: options.cmd,
      PMT_TASK_USER: options.user ?? '',
    },
  };
}
