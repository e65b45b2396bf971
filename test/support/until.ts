/**
 * Resolves once `check` holds, asking again every `intervalMs`; fails after `timeoutMs` saying what
 * was awaited (`what`) and, when given, what was seen last (`seen`).
 */
export async function until(
  check: () => Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 200, what = 'condition', seen }: { timeoutMs?: number; intervalMs?: number; what?: string; seen?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms${seen ? `: ${seen()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
