import type { Logger } from 'pino';
import type { SwarmRuntime } from '../docker/swarm-runtime.js';
import type { ContainerLog } from '../log/container-log.js';
import type { Plugin } from '../registry/plugin.js';
import { StepLogParser, type StepReport } from './step-log.js';
import { stepLabel, writeStepLog } from './step-log-entry.js';
import type { TaskStep } from './step-marker.js';

/** How long the service log may lag behind a task's end before pmt stops waiting for its last step. */
export const LOG_DRAIN_MS = 5_000;

/**
 * A swarm task's steps as its service log shows them: the log is followed from the service's
 * creation (streamed through the manager, split by the step markers, bounded per step), and each
 * step goes into the plugin's log as a local run's command does, as soon as it ends.
 */
export class TaskSteps {
  readonly #reports = new Map<TaskStep, StepReport>();
  readonly #stop = new AbortController();
  readonly #parser: StepLogParser;
  readonly #following: Promise<void>;
  /** Resolves once the log shows the task's last step (a failed step, or the upload). */
  #lastStep: () => void = () => undefined;
  readonly #lastSeen = new Promise<void>((resolve) => {
    this.#lastStep = resolve;
  });
  #writing: Promise<void> = Promise.resolve();
  #finished: Promise<void> | undefined;

  constructor(
    swarm: SwarmRuntime,
    serviceId: string,
    nonce: string,
    private readonly plugin: Plugin,
    private readonly log: ContainerLog,
    private readonly logger: Logger,
    private readonly onStep: (report: StepReport) => void,
    now: () => Date,
  ) {
    this.#parser = new StepLogParser(nonce, now);
    this.#following = this.#follow(swarm, serviceId).catch((error: unknown) => {
      logger.warn(`Could not follow the task's service log: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  async #follow(swarm: SwarmRuntime, serviceId: string): Promise<void> {
    for await (const chunk of swarm.serviceLogs(serviceId, this.#stop.signal)) {
      for (const report of this.#parser.push(chunk)) this.#ended(report);
    }
  }

  #ended(report: StepReport): void {
    this.#reports.set(report.step, report);
    this.#writing = this.#writing.then(() => writeStepLog(this.log, report, stepLabel(report.step, this.plugin))).catch(() => undefined);
    this.onStep(report);
    if (report.exitCode !== 0 || report.step === 'upload') this.#lastStep();
  }

  /** Resolves once the log has shown the task's last step: a failed one, or the upload. */
  get lastStep(): Promise<void> {
    return this.#lastSeen;
  }

  /** The steps that ended, by name. */
  get reports(): ReadonlyMap<TaskStep, StepReport> {
    return this.#reports;
  }

  /**
   * Stops following, once the log showed the last step or, when `waitMs` is given, after at most
   * that long; then writes the steps still open (cut short) and what was printed outside any step.
   */
  finish(waitMs: number): Promise<void> {
    // Once: a failure after the log was read (a step's judgement) must not write its end twice.
    return (this.#finished ??= this.#finish(waitMs));
  }

  async #finish(waitMs: number): Promise<void> {
    if (waitMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#lastSeen, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    this.#stop.abort();
    await this.#following;
    const { unfinished, outside } = this.#parser.end();
    for (const report of unfinished) {
      this.#writing = this.#writing.then(() => writeStepLog(this.log, report, stepLabel(report.step, this.plugin))).catch(() => undefined);
    }
    await this.#writing;
    if (outside.stdout.trim()) await this.log.note(`the task printed outside its steps (stdout):\n${outside.stdout.trimEnd()}`).catch(() => undefined);
    if (outside.stderr.trim()) await this.log.note(`the task printed outside its steps (stderr):\n${outside.stderr.trimEnd()}`).catch(() => undefined);
    this.logger.debug(`Service log read: steps ${[...this.#reports.keys()].join(', ') || 'none'}`);
  }
}
