import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { PmtError } from '../errors.js';
import { dockerStatusCode } from './docker-errors.js';
import { signalName as nameOfSignal } from '../fs/signal-name.js';

/** Why a container whose main shell went away is not running any more, as the engine recorded it. */
export type ContainerEnd =
  /** Removed (or being removed) by someone else: pmt removes its containers only after it is done with them. */
  | { readonly by: 'removal' }
  /** Signalled through the engine's API (`docker kill`, `docker stop`, an engine shutdown): pmt never does that. */
  | { readonly by: 'engine api'; readonly signals: readonly string[] }
  /** The kernel's OOM killer acted in the container. */
  | { readonly by: 'memory limit' }
  /** Nothing from outside: a process in the container ended it. */
  | { readonly by: 'inside'; readonly exitCode: number };

/** How long after a container's end the engine may still record the kill that ended it. */
const KILL_RECORD_SLACK_MS = 1500;

/** Asks the engine how the container ended: its state, and the kill events of its life. */
export async function containerEnd(docker: Dockerode, container: Dockerode.Container): Promise<ContainerEnd> {
  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await container.inspect();
  } catch (error) {
    if (dockerStatusCode(error) === 404) return { by: 'removal' };
    throw error;
  }
  if (info.State.Status === 'removing' || info.State.Dead) return { by: 'removal' };
  if (info.State.OOMKilled) return { by: 'memory limit' };
  const signals = await killSignals(docker, container.id, info.Created, info.State.FinishedAt);
  if (signals.length > 0) return { by: 'engine api', signals };
  return { by: 'inside', exitCode: info.State.ExitCode };
}

/**
 * The signals sent to the container through the engine between its creation and its end: the
 * engine's event log (a buffer of its latest events) has a `kill` event for each.
 */
async function killSignals(docker: Dockerode, id: string, created: string, finished: string): Promise<string[]> {
  const since = Date.parse(created);
  // The engine records a kill just after sending the signal, so on a busy machine the record may
  // come after the container's end: look a little past it (the engine answers once `until` has
  // passed, so this failure path may wait that long).
  const until = Math.ceil(Date.parse(finished)) + KILL_RECORD_SLACK_MS;
  if (Number.isNaN(since) || Number.isNaN(until)) return [];
  const stream = (await docker.getEvents({
    since: String(Math.floor(since / 1000)),
    until: (until / 1000).toFixed(3),
    filters: { type: ['container'], container: [id], event: ['kill'] },
  } as never)) as unknown as Readable;
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => signalName((JSON.parse(line) as { Actor?: { Attributes?: { signal?: string } } }).Actor?.Attributes?.signal));
}

/** The engine's event gives the signal as a number (or a name, when the client sent one). */
function signalName(signal: string | undefined): string {
  if (!signal) return 'a signal';
  if (!/^\d+$/.test(signal)) return signal;
  return nameOfSignal(Number(signal)) ?? `signal ${signal}`;
}

/** What someone outside pmt did to a plugin's container, said so, with what to do. */
export class ContainerEndedOutside extends PmtError {
  constructor(readonly end: Exclude<ContainerEnd, { by: 'inside' }>) {
    super(describe(end), {
      origin: 'docker',
      hint:
        end.by === 'memory limit'
          ? "raise resources.memory in the plugin's registry entry or DefaultMemory in the config"
          : 'a person, a cleanup job (e.g. `docker rm -f`, `docker container prune`) or an engine restart acted outside pmt; run the scan again, and keep such jobs away from containers labelled pmt.run',
    });
  }
}

function describe(end: Exclude<ContainerEnd, { by: 'inside' }>): string {
  switch (end.by) {
    case 'removal':
      return "the plugin's container was removed from outside pmt (`docker rm -f` or a cleanup job) while pmt was using it";
    case 'memory limit':
      return "the plugin's container ran out of memory: the kernel killed its shell";
    case 'engine api': {
      const [first] = end.signals;
      const how = end.signals.join(', then ');
      return first === 'SIGKILL'
        ? `the plugin's container was killed from outside pmt (${how}: \`docker kill\`, or \`docker stop\` after its grace period)`
        : `the plugin's container was stopped from outside pmt (${how}: \`docker stop\` or \`docker kill -s\`)`;
    }
  }
}
