import { describe, expect, it } from 'vitest';
import { StartWave } from '../../../src/engine/start-wave.js';

/** Lets every settled promise's callbacks run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Records when `promise` settles, to be read after flush(). */
function watch(promise: Promise<void>): { readonly done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}

describe('StartWave', () => {
  it('is quiet at once when no agent is in it', async () => {
    const wave = new StartWave();
    const starts = watch(wave.allStartsSent());
    const commands = watch(wave.allCommandsSent());
    await flush();
    expect(starts.done).toBe(true);
    expect(commands.done).toBe(true);
  });

  it('tells "all starts sent" once the last agent that joined has sent its start request, not before', async () => {
    const wave = new StartWave();
    const first = wave.join();
    const second = wave.join();
    first.startSent();
    const starts = watch(wave.allStartsSent());
    await flush();
    expect(starts.done).toBe(false);
    second.startSent();
    await flush();
    expect(starts.done).toBe(true);
  });

  it('tells "all commands sent" only once every agent has given its command, however far the starts got', async () => {
    const wave = new StartWave();
    const first = wave.join();
    const second = wave.join();
    const commands = watch(wave.allCommandsSent());
    first.startSent();
    second.startSent();
    first.commandSent();
    await flush();
    expect(commands.done).toBe(false);
    second.commandSent();
    await flush();
    expect(commands.done).toBe(true);
  });

  it('an agent that leaves early (its create or check failed) no longer holds either moment back', async () => {
    const wave = new StartWave();
    const failing = wave.join();
    const going = wave.join();
    going.startSent();
    const starts = watch(wave.allStartsSent());
    const commands = watch(wave.allCommandsSent());
    failing.leave();
    await flush();
    expect(starts.done).toBe(true);
    expect(commands.done).toBe(false);
    going.commandSent();
    await flush();
    expect(commands.done).toBe(true);
  });

  it('counts each step of a ticket once: a repeated call, or leave after the steps, does not let another agent out early', async () => {
    const wave = new StartWave();
    const done = wave.join();
    const waiting = wave.join();
    done.startSent();
    done.startSent();
    done.commandSent();
    done.leave();
    done.leave();
    const starts = watch(wave.allStartsSent());
    const commands = watch(wave.allCommandsSent());
    await flush();
    expect(starts.done).toBe(false);
    expect(commands.done).toBe(false);
    waiting.leave();
    await flush();
    expect(starts.done).toBe(true);
    expect(commands.done).toBe(true);
  });

  it('a later wave is waited for again: an agent that joins after a quiet moment holds the next one back', async () => {
    const wave = new StartWave();
    wave.join().leave();
    const late = wave.join();
    const starts = watch(wave.allStartsSent());
    await flush();
    expect(starts.done).toBe(false);
    late.startSent();
    await flush();
    expect(starts.done).toBe(true);
  });
});
