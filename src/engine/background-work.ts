/**
 * Work a run lets finish in the background — removing the container of a finished plugin, so that
 * the next plugin can start meanwhile — and waits for before it ends. Failures are the work's own
 * business (it logs them); here they only must not stop the waiting.
 */
export class BackgroundWork {
  private readonly pending = new Set<Promise<void>>();

  add(work: Promise<void>): void {
    const tracked: Promise<void> = work.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves once everything added, also while waiting, has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
