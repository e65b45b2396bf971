/**
 * Maps an async iterable with up to `depth` calls in flight and yields the results in source
 * order: file system calls overlap (each one alone waits for a thread-pool round trip) while the
 * consumer still sees one ordered sequence and at most `depth` results are held.
 */
export async function* readAhead<T, U>(source: AsyncIterable<T>, map: (item: T) => Promise<U>, depth: number): AsyncGenerator<U> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Promise<U>[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && pending.length < depth) {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else {
          const result = map(next.value);
          // Awaited later, in order; without this an early failure would count as unhandled.
          result.catch(() => undefined);
          pending.push(result);
        }
      }
      const head = pending.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}
