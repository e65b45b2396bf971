/** The bytes a filestore may hold in memory, shared by every file of the run. */
export class MemoryBudget {
  #used = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.#used;
  }

  /** Takes `bytes` from the budget if they fit; synchronous, so concurrent receivers cannot overbook. */
  tryReserve(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#used -= bytes;
    if (this.#used < 0) throw new Error(`memory budget released ${-this.#used} bytes more than reserved`);
  }
}
