import { describe, expect, it } from 'vitest';
import { BuildOutput } from '../../../src/build/build-output.js';

describe('BuildOutput', () => {
  it('follows the steps and names the failing one with the last line of its output that says what went wrong', () => {
    const output = new BuildOutput();
    expect(output.append('Step 1/3 : FROM debian:bookworm-slim\n ---> 5a1d45cd349c\n')).toBe('1/3 (FROM debian:bookworm-slim)');
    expect(output.append('Step 2/3 : RUN sh /tmp/install.sh && rm /tmp/install.sh && echo done\n')).toBe('2/3 (RUN sh /tmp/install.sh && rm /tmp/insta…)');
    // Output arrives in pieces, with colours, and the engine's own summary says nothing useful.
    output.append('Downloading https://example.invalid/x.tar.gz\ncurl: (6) Could not resolve host: example.invalid\n\x1b[31mERROR: cannot do');
    output.append('wnload x.tar.gz (curl exit 6)\x1b[0m\nThis build needs the network.\n');
    expect(output.step).toBe('2/3 (RUN sh /tmp/install.sh && rm /tmp/insta…)');
    expect(output.failureReason("The command '/bin/sh -c sh /tmp/install.sh' returned a non-zero code: 1")).toBe(
      'step 2/3 (RUN sh /tmp/install.sh && rm /tmp/insta…) failed: ERROR: cannot download x.tar.gz (curl exit 6)',
    );
  });

  it('without a telling line: the step\'s last line; without any step: what the engine said', () => {
    const quiet = new BuildOutput();
    quiet.append('Step 1/1 : RUN false\n');
    quiet.append(' ---> Running in 0123\nsomething happened\n');
    expect(quiet.failureReason('returned a non-zero code: 1')).toBe('step 1/1 (RUN false) failed: something happened');
    expect(new BuildOutput().failureReason('dockerfile parse error line 1: unknown instruction: FROMM\nmore')).toBe(
      'dockerfile parse error line 1: unknown instruction: FROMM',
    );
  });
});
