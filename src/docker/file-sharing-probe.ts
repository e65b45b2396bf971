import type { IncomingMessage } from 'node:http';
import type Dockerode from 'dockerode';
import type { FileSharingRequest, FileSharingVerdict } from './container-runtime.js';
import { dockerMessage, dockerStatusCode } from './docker-errors.js';

const MARKER_TARGET = '/pmt-probe/marker';
const INPUT_TARGET = '/pmt-probe/input';

/**
 * Whether the engine sees this machine's directories as they are here: a container (created,
 * never started) binds the fresh marker directory and the input; the engine must find the
 * randomly named marker file with the same size and modification time, and the input directory
 * with the same modification time and mode. Only the paths' stat is asked for (a HEAD of the
 * archive API, ~2 ms): reading the marker back through a tar stream cost the engine ~45 ms.
 * The container is removed before this settles, or handed to `deferRemoval`.
 */
export async function probeFileSharing(docker: Dockerode, request: FileSharingRequest): Promise<FileSharingVerdict> {
  let container: Dockerode.Container;
  try {
    container = await docker.createContainer({
      Image: request.image,
      Cmd: ['true'],
      Labels: { ...request.labels },
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        Mounts: [
          { Type: 'bind', Source: request.markerDir, Target: MARKER_TARGET, ReadOnly: true },
          { Type: 'bind', Source: request.inputDir, Target: INPUT_TARGET, ReadOnly: true },
        ],
      },
    });
  } catch (error) {
    // 400 "invalid mount config …: bind source path does not exist": the engine's host has no such path.
    if (dockerStatusCode(error) === 400) return { shared: false, reason: dockerMessage(error).replace(/^invalid mount config for type "bind": /, '') };
    throw error;
  }
  try {
    // Both stats at once: each is a round trip to the engine.
    const [marker, stat] = await Promise.all([
      container.infoArchive({ path: `${MARKER_TARGET}/${request.markerFile}` }).then((r) => pathStat(r as IncomingMessage)),
      container.infoArchive({ path: INPUT_TARGET }).then((r) => pathStat(r as IncomingMessage)),
    ]);
    if (marker === undefined || marker.size !== request.markerSize || Date.parse(marker.mtime) !== Math.floor(request.markerMtimeMs)) {
      return { shared: false, reason: `the engine sees other files at ${request.markerDir}` };
    }
    if (stat === undefined || Date.parse(stat.mtime) !== Math.floor(request.inputMtimeMs) || (stat.mode & 0o777) !== (request.inputMode & 0o777)) {
      return { shared: false, reason: `the engine sees another directory at ${request.inputDir}` };
    }
    return { shared: true };
  } catch (error) {
    if (dockerStatusCode(error) === 404) return { shared: false, reason: `the engine does not find the marker file in ${request.markerDir}` };
    throw error;
  } finally {
    const remove = (): Promise<void> => container.remove({ force: true, v: true }).then(
      () => undefined,
      () => undefined,
    );
    // The verdict need not wait for the removal when the caller takes care of it.
    if (request.deferRemoval) request.deferRemoval(remove);
    else await remove();
  }
}

/** The engine's `X-Docker-Container-Path-Stat` header: `{name, size, mode, mtime, linkTarget}`. */
function pathStat(response: IncomingMessage): { size: number; mode: number; mtime: string } | undefined {
  response.resume();
  const header = response.headers['x-docker-container-path-stat'];
  if (typeof header !== 'string') return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { size: number; mode: number; mtime: string };
  } catch {
    return undefined;
  }
}
