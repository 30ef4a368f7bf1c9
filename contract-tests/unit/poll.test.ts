/** The poller the server wait (and later the job wait) is built on, on fake timers: no wall clock. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkPollOptions, poll, type Poll } from '../../src/poll.js';
import { EcsInputError } from '../../src/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const schedule = { timeoutMs: 60_000, intervalMs: 1_000, maxIntervalMs: 4_000 };

/** A poll over `values`, noting when (on the fake clock) each read happened. */
function polling(values: string[], overrides: Partial<Poll<string>> = {}) {
  const readsAt: number[] = [];
  const start = Date.now();
  let index = 0;
  const what: Poll<string> = {
    read: async () => {
      readsAt.push(Date.now() - start);
      return values[Math.min(index++, values.length - 1)]!;
    },
    isDone: (value) => value === 'done',
    timedOut: (last) => new Error(`timed out, last ${last}`),
    ...overrides,
  };
  return { what, readsAt };
}

describe('poll', () => {
  it('pauses 1 s, then half as long again each time, up to the cap', async () => {
    const { what, readsAt } = polling(['a', 'b', 'c', 'd', 'e', 'f', 'done']);
    const result = poll(what, schedule);
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('done');
    // Pauses: 1000, 1500, 2250, 3375, then the 4000 cap.
    expect(readsAt).toEqual([0, 1_000, 2_500, 4_750, 8_125, 12_125, 16_125]);
  });

  it('ends at the deadline with the timeout error, given the last value read', async () => {
    const { what } = polling(['busy']);
    const result = poll(what, { ...schedule, timeoutMs: 10_000 });
    const settled = expect(result).rejects.toThrow('timed out, last busy');
    await vi.advanceTimersByTimeAsync(10_000);
    await settled;
  });

  it('cuts a read in flight short at the deadline', async () => {
    let readSignal: AbortSignal | undefined;
    const { what } = polling([], {
      read: (signal) => {
        readSignal = signal;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    });
    const result = poll(what, { ...schedule, timeoutMs: 5_000 });
    const settled = expect(result).rejects.toThrow('timed out, last undefined');
    await vi.advanceTimersByTimeAsync(5_000);
    await settled;
    expect(readSignal?.aborted).toBe(true);
  });

  it("keeps isDone's own error as the verdict", async () => {
    const { what } = polling(['bad'], {
      isDone: (value) => {
        if (value === 'bad') throw new Error('went bad');
        return false;
      },
    });
    await expect(poll(what, schedule)).rejects.toThrow('went bad');
  });

  it('turns a failed read into what readFailed says, before the deadline', async () => {
    const { what } = polling([], {
      read: () => Promise.reject(new Error('404')),
      readFailed: (error) => new Error(`gone (${(error as Error).message})`),
    });
    await expect(poll(what, schedule)).rejects.toThrow('gone (404)');
  });

  it("ends with the caller's reason when the caller aborts, not with a timeout", async () => {
    const caller = new AbortController();
    const { what } = polling(['busy']);
    const result = poll(what, schedule, caller.signal);
    const settled = expect(result).rejects.toThrow('stopped by the caller');
    await vi.advanceTimersByTimeAsync(2_000);
    caller.abort(new Error('stopped by the caller'));
    await settled;
  });

  it('leaves no timer behind', async () => {
    const { what } = polling(['done']);
    await poll(what, schedule);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('checkPollOptions', () => {
  it('fills the defaults and caps the first pause', () => {
    expect(checkPollOptions('wait', {}, 600_000)).toEqual({ timeoutMs: 600_000, intervalMs: 1_000, maxIntervalMs: 10_000 });
    expect(checkPollOptions('wait', { intervalMs: 5_000, maxIntervalMs: 2_000 }, 1)).toMatchObject({ intervalMs: 2_000 });
  });

  it.each([
    [{ timeoutMs: 0 }, 'wait.timeoutMs'],
    [{ intervalMs: 1.5 }, 'wait.intervalMs'],
    [{ maxIntervalMs: 600_001 }, 'wait.maxIntervalMs'],
    [null, 'wait'],
  ])('refuses %j, naming %s', (options, field) => {
    expect(() => checkPollOptions('wait', options as never, 1)).toThrow(EcsInputError);
    expect(() => checkPollOptions('wait', options as never, 1)).toThrow(expect.objectContaining({ field }));
  });
});
