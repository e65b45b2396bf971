import { RESULT_DIR } from '../agent/container-spec.js';
import { LISTED_NAMES } from './result-check.js';

/** Files per request of pmt's own upload loop (the endpoint accepts up to MAX_FILES_PER_POST). */
export const POST_BATCH_FILES = 500;

/**
 * Posts every declared result to pmt's endpoint from inside the container, POST_BATCH_FILES files
 * per request (one curl for 3 000 results took 34 ms each). File names and the token go to curl
 * through its config on stdin (`form = "result=@/result/<name>"`: names cannot contain `"` or `\`),
 * so no argument list grows with them and the token never shows in a process list. Plugin data
 * reaches the shell only as positional arguments and environment variables, never formatted into
 * the script. What cannot be posted is reported on stdout as `pmt-result<TAB><problem><TAB><name>`,
 * followed by what `/result` holds (`pmt-holds<TAB><name>`, the first LISTED_NAMES, then
 * `pmt-holds-total<TAB><count>`). One copy serves the local agent and the swarm task script.
 */
export const POST_RESULTS_SCRIPT = `
post() {
  if [ -n "\${PMT_API_SOCKET:-}" ]; then curl --unix-socket "$PMT_API_SOCKET" "$@" http://pmt/save
  else curl "$@" "$PMT_API_URL/save"; fi
}
send() {
  [ "$count" -gt 0 ] || return 0
  printf 'header = "Authorization: Bearer %s"\\n%s' "$PMT_TOKEN" "$forms" | post -sS --fail-with-body \\
    -F "name=$PMT_PLUGIN_NAME" -F "id=$PMT_PLUGIN_ID" -K - || status=1
  echo
  forms=''; count=0
}
problem() { printf 'pmt-result\\t%s\\t%s\\n' "$1" "$2"; status=1; }
status=0; forms=''; count=0; nl='
'
for name in "$@"; do
  file="${RESULT_DIR}/$name"
  if [ -L "$file" ]; then problem symlink "$name"
  elif [ ! -e "$file" ]; then problem missing "$name"
  elif [ -d "$file" ]; then problem directory "$name"
  elif [ -p "$file" ]; then problem fifo "$name"
  elif [ ! -f "$file" ]; then problem special "$name"
  elif [ ! -r "$file" ]; then problem unreadable "$name"
  else
    forms="$forms""form = \\"result=@$file\\"$nl"; count=$((count + 1))
    [ "$count" -lt ${POST_BATCH_FILES} ] || send
  fi
done
send
if [ "$status" -ne 0 ]; then
  total=0
  for path in ${RESULT_DIR}/* ${RESULT_DIR}/.[!.]* ${RESULT_DIR}/..?*; do
    [ -e "$path" ] || [ -L "$path" ] || continue
    total=$((total + 1))
    entry=\${path#${RESULT_DIR}/}
    [ -d "$path" ] && [ ! -L "$path" ] && entry="$entry/"
    [ "$total" -gt ${LISTED_NAMES} ] || printf 'pmt-holds\\t%s\\n' "$entry"
  done
  printf 'pmt-holds-total\\t%s\\n' "$total"
fi
exit $status
`;

/**
 * The command that posts declared results from inside the container: names travel as arguments.
 * It runs in the plugin's own shell (POSIX, and proven by the compatibility check), so an image
 * needs no other shell — e.g. no /bin/sh beside the /bin/bash its entry names.
 */
export function postResultsCommand(shell: string, results: readonly string[]): string[] {
  return [shell, '-c', POST_RESULTS_SCRIPT, 'pmt-post-results', ...results];
}

/** How the upload shows in the plugin's log and pmt's own log (the script itself is long). */
export function uploadLabel(results: readonly string[]): string {
  return `curl -F result=@${RESULT_DIR}/<file> … /save for ${results.join(', ')}`;
}
