import { buildCommand } from '../build/build-command.js';
import type { Plugin } from '../registry/plugin.js';

/**
 * How a user gets a plugin's image when the engine lacks it. `registryFlag`: the `-r FILE` the
 * command was given, so that the build command names the same registry.
 */
export function buildHint(plugin: Plugin, registryFlag?: string): string {
  if (plugin.build) {
    return `build it with \`${buildCommand(plugin, registryFlag)}\`, or point docker_image at a published image and drop \`build\``;
  }
  return `check the docker_image of plugin "${plugin.name}", log in to its registry (docker login, or RemoteRepoUser/RemoteRepoPass), or build the image locally`;
}
