import { basename } from 'node:path';
import { RESULT_DIR } from '../agent/container-spec.js';
import { PluginFailure, tailLines } from '../agent/plugin-failure.js';
import type { ExecResult, PluginContainer } from '../docker/container-runtime.js';
import type { Filestore } from '../store/filestore.js';
import type { ContainerSetup, LoggedExec, PluginRun, ResultCollector } from './result-collector.js';
import { postResultsCommand, uploadLabel } from './post-results-script.js';
import { LISTED_NAMES, resultProblemsFailure, type ResultDirListing, type ResultProblem } from './result-check.js';
import type { RestAddress, RestEndpoint } from './rest-endpoint.js';

/** Where the run's socket directory appears inside plugin containers. */
export const API_DIR_IN_CONTAINER = '/run/pmt';

/** The transport's compatibility probe, run right after the check's `echo test`. */
export const REST_PROBE = 'curl -V';

/** Judges REST_PROBE's output (after the `test` line): throws saying curl is missing. */
export function checkRestProbe(answer: ExecResult): void {
  if (answer.exitCode !== 0 || !answer.stdout.startsWith('curl')) {
    throw new Error(`\`curl -V\` failed in the container (exit code ${answer.exitCode}); the REST transport needs curl in the plugin image`);
  }
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

  readonly probe = REST_PROBE;

  checkProbe(answer: ExecResult): void {
    checkRestProbe(answer);
  }

  prepare(): Promise<void> {
    return this.endpoint.ready();
  }

  async collect(run: PluginRun, _container: PluginContainer, shell: LoggedExec): Promise<void> {
    await this.endpoint.ready();
    const posted = await shell(postResultsCommand(run.plugin.shell, run.plugin.results), uploadLabel(run.plugin.results));
    judgeUpload(run, posted, this.endpoint, this.filestore);
  }

  release(run: PluginRun): void {
    this.endpoint.unregister(run.id);
  }
}

/**
 * Whether the upload loop's run (`posted`: its output and exit code) delivered every declared
 * result: a size limit, a file it could not post, a result that never arrived or a refused post of
 * the plugin's own each fail the plugin. The local agent and a swarm task's upload step share it.
 */
export function judgeUpload(run: PluginRun, posted: ExecResult, endpoint: RestEndpoint, filestore: Filestore): void {
  // A size limit fails the plugin with the same error as archive copy gives.
  const tooLarge = endpoint.tooLarge(run.id);
  if (tooLarge) throw tooLarge;
  const { problems, listing } = parsePostReport(posted.stdout);
  const refused = endpoint.rejections(run.id);
  const received = new Set(filestore.list(run.id).map((r) => r.name));
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
