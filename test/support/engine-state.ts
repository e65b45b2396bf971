import Dockerode from 'dockerode';

/** Reads the real engine's state, independently of pmt's own adapter. */
export const docker = new Dockerode();

/** Containers (running or not) that carry every given label (`key` or `key=value`). */
export async function containersWithLabels(...labels: string[]): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: labels } });
}

/** Creates and starts a container with an open stdin nobody attaches to (a running container counts as a live run's). */
export async function startLabelledContainer(image: string, labels: Record<string, string>): Promise<string> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: ['/bin/sh'],
    OpenStdin: true,
    Labels: labels,
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  return container.id;
}

/** A container that ran and exited, as a pmt run that is gone leaves it (no process, no connection). */
export async function exitedLabelledContainer(image: string, labels: Record<string, string>): Promise<string> {
  const container = await docker.createContainer({ Image: image, Cmd: ['true'], Labels: labels, HostConfig: { NetworkMode: 'none' } });
  await container.start();
  await container.wait();
  return container.id;
}
