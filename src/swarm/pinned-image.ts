import { ExitCode, PmtError } from '../errors.js';

/** The reference's name: without its tag and digest (a ':' before the last '/' is a registry's port). */
export function nameOf(reference: string): string {
  const at = reference.indexOf('@');
  const withoutDigest = at === -1 ? reference : reference.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

/**
 * The repository of an image reference: its name with Docker's implied `docker.io/library/` spelled
 * out, so that `busybox` and `docker.io/library/busybox` match.
 */
export function repositoryOf(reference: string): string {
  const name = nameOf(reference);
  const [first = '', ...rest] = name.split('/');
  const hasDomain = rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain) return first === 'index.docker.io' ? `docker.io/${rest.join('/')}` : name;
  return rest.length === 0 ? `docker.io/library/${name}` : `docker.io/${name}`;
}

/**
 * `name@sha256:…` for the image the manager has under `reference`, as `docker service create` pins
 * a service: every node then runs exactly that image, whatever the tag means by the time it pulls.
 * The digest must come from the reference's own repository (the registry the nodes pull from); an
 * image that was only built or loaded locally has none and cannot run on a swarm.
 */
export function pinnedImage(reference: string, repoDigests: readonly string[], plugin: string): string {
  const at = reference.indexOf('@');
  if (at !== -1) return `${nameOf(reference)}${reference.slice(at)}`;
  const repository = repositoryOf(reference);
  const digest = repoDigests.find((d) => repositoryOf(d) === repository);
  if (digest) return `${nameOf(reference)}${digest.slice(digest.indexOf('@'))}`;
  const where = repoDigests.length === 0 ? 'it was built or loaded, never pulled from or pushed to a registry' : `its digests are from other repositories (${repoDigests.join(', ')})`;
  throw new PmtError(`image ${reference} of plugin "${plugin}" has no registry digest on the swarm manager (${where}): swarm nodes pull images from a registry`, {
    origin: 'docker',
    exitCode: ExitCode.pluginFailed,
    hint: "push it to a registry the swarm's nodes reach: pmt push HOST:PORT (it prints the docker_image lines to use), or docker tag + docker push",
  });
}
