/**
 * Work a run lets finish in the background — removing the container of a finished plugin, so that
 * the next plugin can start meanwhile — and waits for before it ends. Failures are the work's own
 * business (it logs them); here they only must not stop the waiting.
 *
 * Work that only has to be done by the end of the run (sweeping what dead runs left, removing the
 * file-sharing probe's container, digesting the input for the provenance record) is held back until
 * `release`: a local run releases it once every container it started runs its plugin's command, or
 * once the first plugin is done (see StartWave); a swarm run once its first service exists. So it
 * does not queue the first plugins' file-system calls behind its own on libuv's thread pool
 * (4 threads), nor their engine requests behind a listing, nor take the CPU the engine needs to
 * start their containers.
 */
export class BackgroundWork {
  private readonly pending = new Set<Promise<void>>();
  private readonly held: (() => void)[] = [];
  private released = false;

  add(work: Promise<void>): void {
    const tracked: Promise<void> = work.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Starts `start` at `release` (at once when released already) and settles with its result; awaited by `settled` too. */
  later<T>(start: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = (): void => {
        const work = Promise.resolve().then(start);
        work.then(resolve, reject);
        this.add(work.then(() => undefined));
      };
      if (this.released) run();
      else this.held.push(run);
    });
  }

  /** Starts the held work; later calls do nothing. */
  release(): void {
    this.released = true;
    for (const run of this.held.splice(0)) run();
  }

  /** Releases what is held, and resolves once everything added, also while waiting, has finished. */
  async settled(): Promise<void> {
    this.release();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
