import { basename } from 'node:path';
import { RESULT_DIR } from '../agent/container-spec.js';
import { PluginFailure, tailLines } from '../agent/plugin-failure.js';
import type { ExecResult, PluginContainer } from '../docker/container-runtime.js';
import type { Filestore } from '../store/filestore.js';
import type { ContainerSetup, LoggedExec, PluginRun, ResultCollector } from './result-collector.js';
import { LISTED_NAMES, resultProblemsFailure, type ResultDirListing, type ResultProblem } from './result-check.js';
import type { RestAddress, RestEndpoint } from './rest-endpoint.js';

/** Where the run's socket directory appears inside plugin containers. */
export const API_DIR_IN_CONTAINER = '/run/pmt';

/** Files per request of pmt's own upload loop (the endpoint accepts up to MAX_FILES_PER_POST). */
export const POST_BATCH_FILES = 500;

/**
 * Posts every declared result to pmt's endpoint from inside the container, POST_BATCH_FILES files
 * per request (one curl for 3 000 results took 34 ms each). File names go to curl through its
 * config on stdin (`form = "result=@/result/<name>"`: names cannot contain `"` or `\`), so no
 * argument list grows with them. Plugin data reaches the shell only as positional arguments and
 * environment variables, never formatted into the script. What cannot be posted is reported on
 * stdout as `pmt-result<TAB><problem><TAB><name>`, followed by what `/result` holds
 * (`pmt-holds<TAB><name>`, the first LISTED_NAMES, then `pmt-holds-total<TAB><count>`).
 */
const POST_RESULTS_SCRIPT = `
post() {
  if [ -n "\${PMT_API_SOCKET:-}" ]; then curl --unix-socket "$PMT_API_SOCKET" "$@" http://pmt/save
  else curl "$@" "$PMT_API_URL/save"; fi
}
send() {
  [ "$count" -gt 0 ] || return 0
  printf '%s' "$forms" | post -sS --fail-with-body -H "Authorization: Bearer $PMT_TOKEN" \\
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

/** What a container needs to reach the endpoint: the socket dir mounted, or the host's network for TCP. */
export function restContainerSetup(address: RestAddress, token: string): ContainerSetup {
  if (address.kind === 'unix') {
    return {
      env: { PMT_TOKEN: token, PMT_API_SOCKET: `${API_DIR_IN_CONTAINER}/${basename(address.socketPath)}` },
      binds: [{ hostPath: address.hostDir, containerPath: API_DIR_IN_CONTAINER, readOnly: true }],
      needsHostNetwork: false,
    };
  }
  // TCP on the host's loopback is reachable only from the host's network namespace.
  return { env: { PMT_TOKEN: token, PMT_API_URL: address.url }, binds: [], needsHostNetwork: true };
}

/** Collects results over the run's embedded REST endpoint (per-run token, declared files only). */
export class RestCollector implements ResultCollector {
  readonly kind = 'rest' as const;

  constructor(
    private readonly endpoint: RestEndpoint,
    private readonly filestore: Filestore,
  ) {}

  setup(run: PluginRun): ContainerSetup {
    const { token } = this.endpoint.register({ id: run.id, plugin: run.plugin.name, results: run.plugin.results });
    return restContainerSetup(this.endpoint.address, token);
  }

  readonly probe = 'curl -V';

  checkProbe(answer: ExecResult): void {
    if (answer.exitCode !== 0 || !answer.stdout.startsWith('curl')) {
      throw new Error(`\`curl -V\` failed in the container (exit code ${answer.exitCode}); the REST transport needs curl in the plugin image`);
    }
  }

  prepare(): Promise<void> {
    return this.endpoint.ready();
  }

  async collect(run: PluginRun, _container: PluginContainer, shell: LoggedExec): Promise<void> {
    await this.endpoint.ready();
    const posted = await shell(postResultsCommand(run.plugin.shell, run.plugin.results), `curl -F result=@${RESULT_DIR}/<file> … /save for ${run.plugin.results.join(', ')}`);
    // A size limit fails the plugin with the same error as archive copy gives.
    const tooLarge = this.endpoint.tooLarge(run.id);
    if (tooLarge) throw tooLarge;
    const { problems, listing } = parsePostReport(posted.stdout);
    const refused = this.endpoint.rejections(run.id);
    const received = new Set(this.filestore.list(run.id).map((r) => r.name));
    const reported = new Set(problems.map((p) => p.name));
    const lost = run.plugin.results.filter((name) => !received.has(name) && !reported.has(name));
    if (problems.length > 0) {
      const failure = resultProblemsFailure(run.plugin.name, problems, listing);
      if (refused.length === 0) throw failure;
      throw new PluginFailure(`${failure.message}; pmt refused: ${refused.join('; ')}`, failure.hint);
    }
    if (lost.length > 0) {
      const why = refused.length > 0 ? `pmt refused: ${refused.join('; ')}` : tailLines(posted.stderr) || 'nothing was posted';
      throw new PluginFailure(
        `declared result(s) ${lost.map((n) => `${RESULT_DIR}/${n}`).join(', ')} of plugin ${run.plugin.name} did not arrive over REST: ${why}`,
        `its log has the upload output`,
      );
    }
    // Every declared result arrived, but a post of the plugin's own was refused (an undeclared
    // name, a malformed request): a result the plugin meant to deliver was lost, so it fails.
    if (refused.length > 0) {
      throw new PluginFailure(
        `pmt refused ${refused.length === 1 ? 'a post' : 'posts'} of plugin ${run.plugin.name}: ${refused.join('; ')}`,
        'post only declared results (or declare the file in the entry\'s results); its log has the upload output',
      );
    }
  }

  release(run: PluginRun): void {
    this.endpoint.unregister(run.id);
  }
}

const KINDS: Record<string, ResultProblem['kind']> = { missing: 'missing', unreadable: 'unreadable' };

/** Reads the upload loop's report of what it could not post and what `/result` holds. */
export function parsePostReport(stdout: string): { problems: ResultProblem[]; listing: ResultDirListing } {
  const problems: ResultProblem[] = [];
  const names: string[] = [];
  let total = 0;
  for (const line of stdout.split('\n')) {
    const [tag, first, ...rest] = line.split('\t');
    if (tag === 'pmt-result' && first !== undefined && rest.length > 0) {
      const name = rest.join('\t');
      const kind = KINDS[first];
      problems.push(kind === 'missing' ? { name, kind } : kind === 'unreadable' ? { name, kind } : { name, kind: 'not a regular file', type: first });
    } else if (tag === 'pmt-holds' && first !== undefined) {
      names.push([first, ...rest].join('\t'));
    } else if (tag === 'pmt-holds-total' && first !== undefined) {
      total = Number(first) || 0;
    }
  }
  return { problems, listing: { names: names.slice(0, LISTED_NAMES).sort(), total: Math.max(total, names.length) } };
}
