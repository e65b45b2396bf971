/**
 * The run's agents while they get their containers going: from the container's create request to
 * its start request, and on to the plugin's command. While the engine starts containers it needs
 * the machine's CPU (with several plugins at once it starts them one after the other), and pmt's
 * own thread is what every agent's next step waits for. Work that only has to be done by some later
 * point — building the REST app, sweeping what dead runs left, digesting the input — waits for the
 * moment none of the agents is at that stage, instead of competing with them.
 */
export class StartWave {
  private readonly beforeStart = new Stage();
  private readonly beforeCommand = new Stage();

  /** An agent is about to create its container; its ticket says how far it got. */
  join(): WaveTicket {
    const startSent = this.beforeStart.enter();
    const commandSent = this.beforeCommand.enter();
    return {
      startSent,
      commandSent,
      leave: () => {
        startSent();
        commandSent();
      },
    };
  }

  /** Resolves once no agent in the wave still has to ask the engine to start its container. */
  allStartsSent(): Promise<void> {
    return this.beforeStart.empty();
  }

  /** Resolves once every agent in the wave has given its plugin's command to its container. */
  allCommandsSent(): Promise<void> {
    return this.beforeCommand.empty();
  }
}

/** One agent's place in the wave; each call may come more than once, the first counts. */
export interface WaveTicket {
  /** The start request is on its way: the engine does the rest. */
  startSent(): void;
  /** The plugin's command runs (or is queued in its main shell). */
  commandSent(): void;
  /** The agent is out, however far it got (it failed, or is done): both of the above. */
  leave(): void;
}

/** How many agents are in a stage, and who waits for it to be empty. */
class Stage {
  private count = 0;
  private waiting: (() => void)[] = [];

  enter(): () => void {
    this.count++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.count--;
      if (this.count === 0) for (const wake of this.waiting.splice(0)) wake();
    };
  }

  empty(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
