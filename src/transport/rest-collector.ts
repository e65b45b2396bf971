import { basename } from 'node:path';
import { RESULT_DIR } from '../agent/container-spec.js';
import { PluginFailure, tailLines } from '../agent/plugin-failure.js';
import type { ExecResult, PluginContainer } from '../docker/container-runtime.js';
import type { Filestore } from '../store/filestore.js';
import type { ContainerSetup, LoggedExec, PluginRun, ResultCollector } from './result-collector.js';
import type { RestAddress, RestEndpoint } from './rest-endpoint.js';

/** Where the run's socket directory appears inside plugin containers. */
export const API_DIR_IN_CONTAINER = '/run/pmt';

/**
 * Posts every declared result to pmt's endpoint from inside the container. Plugin data reaches the
 * shell only as positional arguments and environment variables, never formatted into the script.
 */
const POST_RESULTS_SCRIPT = `
post() {
  if [ -n "\${PMT_API_SOCKET:-}" ]; then curl --unix-socket "$PMT_API_SOCKET" "$@" http://pmt/save
  else curl "$@" "$PMT_API_URL/save"; fi
}
status=0
for name in "$@"; do
  file="${RESULT_DIR}/$name"
  if [ ! -f "$file" ]; then echo "pmt: declared result $file was not written" >&2; status=1; continue; fi
  post -sS --fail-with-body -H "Authorization: Bearer $PMT_TOKEN" \\
    -F "name=$PMT_PLUGIN_NAME" -F "id=$PMT_PLUGIN_ID" -F "result=@$file" || status=1
  echo
done
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
    const received = new Set(this.filestore.list(run.id).map((r) => r.name));
    const missing = run.plugin.results.filter((name) => !received.has(name));
    if (missing.length === 0) return;
    const refused = this.endpoint.rejections(run.id);
    const why = refused.length > 0 ? `pmt refused: ${refused.join('; ')}` : tailLines(posted.stderr) || 'nothing was posted';
    throw new PluginFailure(
      `declared result(s) ${missing.map((n) => `${RESULT_DIR}/${n}`).join(', ')} of plugin ${run.plugin.name} did not arrive over REST: ${why}`,
      `check the plugin's cmd writes them; its log has the upload output`,
    );
  }

  release(run: PluginRun): void {
    this.endpoint.unregister(run.id);
  }
}
