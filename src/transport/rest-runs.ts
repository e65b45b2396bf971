import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { PmtError } from '../errors.js';
import type { ResultTooLargeError } from '../store/result-too-large-error.js';
import { resultNameProblem } from '../registry/result-name.js';

/** The input directory a swarm task of this run may fetch once (GET /input), packed as locally. */
export interface TaskInput {
  readonly dir: string;
  readonly respectGitignore: boolean;
  /** pmt's own output dirs inside the input (relative to it): left out. */
  readonly exclude: readonly string[];
}

/** What registering a plugin run says: who it is, what it may post, and what input it may fetch. */
export interface RunRegistration {
  readonly id: number;
  readonly plugin: string;
  readonly results: readonly string[];
  readonly input?: TaskInput;
}

/** A plugin run allowed to post results, as the endpoint knows it. */
export interface RegisteredRun {
  readonly id: number;
  readonly plugin: string;
  readonly results: ReadonlySet<string>;
  /** False once unregistered: its token then earns a 410, not a 403. */
  readonly active: boolean;
}

interface Run extends RegisteredRun {
  active: boolean;
  readonly digest: Buffer;
  readonly rejections: string[];
  dropped: number;
  /** The first post refused for a broken size limit: the plugin fails with exactly that error. */
  tooLarge: ResultTooLargeError | undefined;
  /** Until its one GET /input; undefined afterwards (or when the run has no input to fetch). */
  input: TaskInput | undefined;
  inputFetched: boolean;
  inputProblem: Error | undefined;
  /** Called once when the run is unregistered: its open leases end. */
  readonly onEnd: Set<() => void>;
}

/** Rejection reasons kept per plugin run; a flood of bad posts cannot grow memory without bound. */
const MAX_REJECTIONS = 50;

/** Per-run tokens and rejection reasons of one endpoint. Tokens are kept only as sha256 digests. */
export class RunRegistry {
  readonly #runs = new Map<number, Run>();

  register(run: RunRegistration): { token: string } {
    if (!Number.isSafeInteger(run.id) || run.id < 0) {
      throw new PmtError(`a plugin run id must be a whole number >= 0, got ${run.id}`, { origin: 'pmt' });
    }
    if (this.#runs.get(run.id)?.active) throw new PmtError(`plugin run ${run.id} is already registered`, { origin: 'pmt' });
    for (const name of run.results) {
      const problem = resultNameProblem(name);
      if (problem) throw new PmtError(`plugin ${run.plugin} declares a result that cannot be posted: ${problem}`, { origin: 'config' });
    }
    const token = randomBytes(32).toString('hex');
    this.#runs.set(run.id, {
      id: run.id,
      plugin: run.plugin,
      results: new Set(run.results),
      active: true,
      digest: digest(token),
      rejections: [],
      dropped: 0,
      tooLarge: undefined,
      input: run.input,
      inputFetched: false,
      inputProblem: undefined,
      onEnd: new Set(),
    });
    return { token };
  }

  unregister(id: number): void {
    const run = this.#runs.get(id);
    if (!run) return;
    run.active = false;
    for (const end of run.onEnd) end();
    run.onEnd.clear();
  }

  /**
   * The input this run may fetch, handed out once: a second call gets `'fetched'` (410), a run
   * registered without one `'none'` (404).
   */
  takeInput(id: number): TaskInput | 'fetched' | 'none' {
    const run = this.#runs.get(id);
    if (!run || (!run.input && !run.inputFetched)) return 'none';
    if (run.inputFetched || !run.input) return 'fetched';
    const { input } = run;
    run.input = undefined;
    run.inputFetched = true;
    return input;
  }

  /** Why sending this run's input failed (the first reason), for the plugin's error. */
  inputFailed(id: number, problem: Error): void {
    const run = this.#runs.get(id);
    if (run) run.inputProblem ??= problem;
  }

  inputProblem(id: number): Error | undefined {
    return this.#runs.get(id)?.inputProblem;
  }

  /**
   * Calls `end` once when the run is unregistered (at once if it is not active); returns what
   * forgets the call, for a lease whose client went away first.
   */
  whenEnded(id: number, end: () => void): () => void {
    const run = this.#runs.get(id);
    if (!run?.active) {
      end();
      return () => undefined;
    }
    run.onEnd.add(end);
    return () => run.onEnd.delete(end);
  }

  /**
   * The run (active or ended) this token belongs to. Compares digests of equal length with
   * `timingSafeEqual` against every run, without stopping at a match, so timing tells nothing.
   */
  byToken(token: string): RegisteredRun | undefined {
    const given = digest(token);
    let found: Run | undefined;
    for (const run of this.#runs.values()) {
      if (timingSafeEqual(given, run.digest)) found = run;
    }
    return found;
  }

  reject(id: number, reason: string, tooLarge?: ResultTooLargeError): void {
    const run = this.#runs.get(id);
    if (!run) return;
    run.tooLarge ??= tooLarge;
    if (run.rejections.length < MAX_REJECTIONS) run.rejections.push(reason);
    else run.dropped += 1;
  }

  /** The first size-limit error of this plugin run's posts, if any. */
  tooLarge(id: number): ResultTooLargeError | undefined {
    return this.#runs.get(id)?.tooLarge;
  }

  rejections(id: number): readonly string[] {
    const run = this.#runs.get(id);
    if (!run) return [];
    return run.dropped === 0 ? [...run.rejections] : [...run.rejections, `… and ${run.dropped} more`];
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
