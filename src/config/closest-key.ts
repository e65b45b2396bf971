/** Edit distance between two strings (insertions, deletions, substitutions each cost 1). */
export function levenshtein(a: string, b: string): number {
  // One rolling row is enough: each cell needs only its left, upper and upper-left neighbours.
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `word`, compared case-insensitively, or undefined when none is close
 * enough to be a plausible typo (at most a third of the candidate's length, and at least 2 edits allowed).
 */
export function closestKey(word: string, candidates: Iterable<string>): string | undefined {
  const wanted = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const allowed = Math.max(2, Math.floor(candidate.length / 3));
    // The distance is at least the difference in length: no need to compute it then.
    if (Math.abs(wanted.length - candidate.length) > Math.min(allowed, bestDistance)) continue;
    const distance = levenshtein(wanted, candidate.toLowerCase());
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` — did you mean "x"?` when a close candidate exists, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const suggestion = closestKey(word, candidates);
  return suggestion === undefined ? '' : ` — did you mean "${suggestion}"?`;
}
