import type { Plugin } from '../registry/plugin.js';

/** How a user gets a plugin's image when the engine lacks it. */
export function buildHint(plugin: Plugin): string {
  if (plugin.build) {
    return `build it with \`docker build --network host -t ${plugin.image} ${plugin.build}\`, or point docker_image at a published image and drop \`build\``;
  }
  return `check the docker_image of plugin "${plugin.name}", log in to its registry (docker login, or RemoteRepoUser/RemoteRepoPass), or build the image locally`;
}
