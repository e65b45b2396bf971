/**
 * A plugin command that tries, as whatever user it runs as, every way to change its /input, for the
 * tests of the input's read-only promise (local, swarm task on the main engine, swarm worker). Each
 * attempt prints `refused: <what>` when it fails and `ALLOWED: <what>` when it works; the command
 * writes /input's manifest before and after into /result/before.txt and /result/after.txt (declare
 * both as results), and prints its id, capabilities and whether it could find the task's nonce.
 * The input it expects: `a.txt` and `sub/b.txt` (HOSTILE_INPUT).
 */
export const HOSTILE_INPUT = { 'a.txt': 'original\n', 'sub/b.txt': 'deep\n' } as const;

export const HOSTILE_INPUT_ATTEMPTS: readonly (readonly [what: string, command: string])[] = [
  ['write a new file', 'echo x > /input/new.txt'],
  ['append to a file', 'echo x >> /input/a.txt'],
  ['truncate a file', ': > /input/sub/b.txt'],
  ['chmod a file', 'chmod 666 /input/a.txt'],
  ['chmod /input', 'chmod 777 /input'],
  ['chown a file', 'chown 0:0 /input/a.txt'],
  ['delete a file', 'rm -f /input/a.txt'],
  ['delete a directory', 'rm -rf /input/sub'],
  ['rename a file', 'mv /input/a.txt /input/c.txt'],
  ['rename /input away', 'mv /input /input-away'],
  ['make a directory', 'mkdir /input/d'],
  ['touch a file', 'touch /input/a.txt'],
  ['remount /input read-write', 'mount -o remount,rw /input'],
  ['bind over /input', 'mount --bind /tmp /input'],
  ['read the token', 'cat /run/secrets/pmt-token'],
];

export const HOSTILE_INPUT_RESULTS = ['before.txt', 'after.txt'] as const;

export const HOSTILE_INPUT_COMMAND = [
  'manifest() { (cd /input && find . | LC_ALL=C sort | while IFS= read -r p; do stat -c "%n %u:%g %a %s" "$p"; done; cat a.txt sub/b.txt); }',
  'manifest > /result/before.txt',
  ...HOSTILE_INPUT_ATTEMPTS.map(([what, command]) => `if (${command}) >/dev/null 2>&1; then echo 'ALLOWED: ${what}'; else echo 'refused: ${what}'; fi`),
  'manifest > /result/after.txt',
  'id; grep -E "^(CapEff|NoNewPrivs):" /proc/self/status',
  // The step nonce is nowhere the command can read it: not in its environment, nor in any process's.
  'if grep -qs PMT_STEP_NONCE /proc/*/environ; then echo NONCE-FOUND; else echo nonce-hidden; fi',
].join('\n');
