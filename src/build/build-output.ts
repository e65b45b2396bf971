/** ANSI colour and cursor sequences some build steps print. */
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** A line that says what went wrong, in the words tools use. */
const FAILURE_WORDS = /\b(error|failed|failure|cannot|can't|could not|unable|not found|denied)\b/i;
/** The engine's own summary of a failed RUN: says only that it failed, never why. */
const ENGINE_SUMMARY = /^The command .* returned a non-zero code/;
const MAX_REASON = 200;

/**
 * The output of one image build as the engine streams it, followed line by line: which step runs
 * (`Step 3/7 : RUN …`), and what that step printed — enough to say in one line why it failed.
 */
export class BuildOutput {
  #step: string | undefined;
  #stepLines: string[] = [];
  #partial = '';

  /** Takes a chunk of output; returns the new step's text when this chunk starts a step. */
  append(text: string): string | undefined {
    const lines = (this.#partial + text).replace(ANSI, '').split(/\r?\n|\r/);
    this.#partial = lines.pop() ?? '';
    let started: string | undefined;
    for (const line of lines) {
      const step = /^Step (\d+\/\d+) : (.*)$/.exec(line.trim());
      if (step) {
        this.#step = `${step[1]} (${shorten(step[2]!, 40)})`;
        this.#stepLines = [];
        started = this.#step;
      } else if (line.trim() !== '' && !line.startsWith(' ---> ')) {
        this.#stepLines.push(line.trim());
      }
    }
    return started;
  }

  /** `Step 3/7 (RUN sh /tmp/install.sh)`-style text of the step running now, if any. */
  get step(): string | undefined {
    return this.#step;
  }

  /**
   * One line: the step that failed and why — the last line of that step's output that names a
   * failure, else the last line it printed, else what the engine said.
   */
  failureReason(engineMessage: string): string {
    const lines = [...this.#stepLines, this.#partial.trim()].filter((line) => line !== '' && !ENGINE_SUMMARY.test(line));
    const said = lines.findLast((line) => FAILURE_WORDS.test(line)) ?? lines.at(-1);
    const engine = engineMessage.trim().split('\n')[0] ?? '';
    const reason = shorten(said ?? engine, MAX_REASON);
    return this.#step ? `step ${this.#step} failed: ${reason}` : reason;
  }
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
