import { gitRevision, type GitRevision } from '../cache/git-revision.js';
import { digestInput, type DigestOptions, type InputDigest } from '../cache/input-digest.js';
import { ExitCode, PmtError } from '../errors.js';

/** What a run knows about its input: the digest the cache keys on and, in a git work tree, the revision. */
export interface InputFacts {
  readonly dir: string;
  /** Undefined when the directory could not be digested; `digestError` then says why. */
  readonly digest: InputDigest | undefined;
  readonly digestError: string | undefined;
  readonly git: GitRevision | undefined;
  /** Paths inside the input (relative to it) that plugins did not see and the digest left out: pmt's own output dirs. */
  readonly excluded: readonly string[];
}

/** Never rejects: a digest that cannot be made is a fact of the run too (the cache then needs it, and says so). */
export async function describeInput(dir: string, options: DigestOptions = {}): Promise<InputFacts> {
  const [digest, git] = await Promise.all([
    digestInput(dir, options).then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error: error instanceof Error ? error.message : String(error) }),
    ),
    gitRevision(dir, options.git, options.exclude).catch(() => undefined),
  ]);
  return { dir, digest: digest.value, digestError: digest.error, git, excluded: options.exclude ?? [] };
}

/** The cache cannot key results without the input's digest: then the run stops before any plugin starts. */
export async function cacheDigest(facts: Promise<InputFacts>): Promise<string> {
  const { dir, digest, digestError } = await facts;
  if (digest !== undefined) return digest.digest;
  throw new PmtError(`cannot digest the input ${dir} for the result cache: ${digestError ?? 'unknown reason'}`, {
    origin: 'user',
    exitCode: ExitCode.usage,
    hint: 'make the input readable, or run with --no-cache',
  });
}
