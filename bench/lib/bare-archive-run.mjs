// The floor for the archive transport: the same containers, run `concurrency` at a time by a bare
// dockerode loop that does only the engine steps archive copy needs — create (input bound read-only,
// an anonymous /result volume), start, wait, one archive request for /result, remove. On Docker
// 20.10 the archive request is the costly step: the engine re-executes itself in a chroot to tar the
// path (~37 ms and ~40 ms of CPU per request on the 2-core reference machine), which `docker run
// --rm` never does.
import Docker from 'dockerode';

export async function bareArchiveRun({ count, concurrency, image, cmd, input }) {
  const docker = new Docker();
  let next = 0;
  const one = async () => {
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['/bin/sh', '-c', `echo test > /dev/null; ${cmd}`],
      Volumes: { '/result': {} },
      HostConfig: { NetworkMode: 'none', Binds: [`${input}:/input:ro`] },
    });
    try {
      await container.start();
      const { StatusCode } = await container.wait();
      if (StatusCode !== 0) throw new Error(`the container exited ${StatusCode}`);
      const tar = await container.getArchive({ path: '/result' });
      for await (const chunk of tar) void chunk;
    } finally {
      await container.remove({ force: true, v: true });
    }
  };
  const worker = async () => {
    while (next < count) {
      next++;
      await one();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}
