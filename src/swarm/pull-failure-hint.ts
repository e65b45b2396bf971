/** What to check when a node could not pull an image (reason: pullOnNodes's). */
export function pullFailureHint(reason: string): string {
  if (reason.startsWith('its registry')) {
    return 'check the docker_image (is it pushed? `pmt push HOST:PORT`) and the login (docker login, or RemoteRepoUser/RemoteRepoPass)';
  }
  return "the manager found it in the registry, so check that this node reaches the registry (a registry without TLS must be in the node's insecure-registries) and has room for the image";
}
