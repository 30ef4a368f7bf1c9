/**
 * Polling, for whatever is waited on (a server until SHUTOFF, a job until it ends): reads with a
 * pause that grows by half up to a cap, a deadline over the whole wait that also cuts a read in
 * flight short, and the caller's signal.
 */
import { boundedSignal, sleep } from './abort.js';
import { EcsInputError } from './errors/input-error.js';
import { checkInteger } from './validate.js';

export interface PollOptions {
  /** How long to wait in all. */
  timeoutMs?: number;
  /** First pause between reads; it grows by half each time. Default 1 s. */
  intervalMs?: number;
  /** Longest pause between reads. Default 10 s. */
  maxIntervalMs?: number;
}

export interface PollSchedule {
  timeoutMs: number;
  intervalMs: number;
  maxIntervalMs: number;
}

/** `options` checked, with `field` (such as `wait`) naming them in errors. */
export function checkPollOptions(field: string, options: PollOptions, defaultTimeoutMs: number): PollSchedule {
  if (typeof options !== 'object' || options === null) throw new EcsInputError(field, 'must be true or an object');
  const maxIntervalMs = checkInteger(`${field}.maxIntervalMs`, options.maxIntervalMs ?? 10_000, 1, 600_000);
  return {
    timeoutMs: checkInteger(`${field}.timeoutMs`, options.timeoutMs ?? defaultTimeoutMs, 1, 2 ** 31 - 1),
    // maxIntervalMs bounds every pause, the first one too.
    intervalMs: Math.min(maxIntervalMs, checkInteger(`${field}.intervalMs`, options.intervalMs ?? 1_000, 1, 600_000)),
    maxIntervalMs,
  };
}

/**
 * `wait: true` or its options, checked (`wait` naming them in errors): the schedule, by default
 * 10 minutes in all, and the progress callback.
 */
export function checkWait<P>(wait: true | (PollOptions & { onProgress?: P }), defaultTimeoutMs = 600_000): PollSchedule & { onProgress: P | undefined } {
  const options = wait === true ? {} : wait;
  const schedule = checkPollOptions('wait', options, defaultTimeoutMs);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new EcsInputError('wait.onProgress', 'must be a function');
  return { ...schedule, onProgress: options.onProgress };
}

export interface Poll<T> {
  /** One read; `signal` aborts at the deadline or with the caller's signal. */
  read(signal: AbortSignal): Promise<T>;
  /** After each read: `true` ends the poll with this value; an error thrown ends it with that error. */
  isDone(value: T, elapsedMs: number): boolean;
  /** What a failed read becomes (before the deadline): by default, the error itself. */
  readFailed?(error: unknown, last: T | undefined): unknown;
  /** The error for a deadline that passed, given the last value read. */
  timedOut(last: T | undefined, elapsedMs: number): Error;
}

/** Reads until `isDone`; whatever the deadline cuts short (a read, a retry's pause, the pause between reads) is a timeout. */
export async function poll<T>(what: Poll<T>, schedule: PollSchedule, signal?: AbortSignal): Promise<T> {
  const started = Date.now();
  const deadline = boundedSignal(signal, schedule.timeoutMs);
  let interval = schedule.intervalMs;
  let last: T | undefined;
  // An error that `isDone` or `readFailed` gave is the poll's verdict, even at the deadline.
  let verdict: unknown;
  try {
    for (;;) {
      try {
        last = await what.read(deadline.signal);
      } catch (error) {
        if (deadline.timedOut() || !what.readFailed) throw error;
        throw (verdict = what.readFailed(error, last));
      }
      let done: boolean;
      try {
        done = what.isDone(last, Date.now() - started);
      } catch (error) {
        throw (verdict = error);
      }
      if (done) return last;
      await sleep(interval, deadline.signal);
      interval = Math.min(schedule.maxIntervalMs, Math.ceil(interval * 1.5));
    }
  } catch (error) {
    if (error === verdict || !deadline.timedOut()) throw error;
    throw what.timedOut(last, Date.now() - started);
  } finally {
    deadline.done();
  }
}
