/**
 * Abort handling shared by every call. One caller signal may be shared by a thousand calls: each
 * call subscribes here, and the signal gets a single listener of ours, so Node never warns of a
 * listener leak (MaxListenersExceededWarning).
 */
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `listener` once `signal` aborts (at once if it has); returns the unsubscribe. */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    listener();
    return () => {};
  }
  let listeners = subscribers.get(signal);
  if (!listeners) {
    const fresh = new Set<() => void>();
    listeners = fresh;
    subscribers.set(signal, fresh);
    signal.addEventListener('abort', () => {
      subscribers.delete(signal);
      for (const each of fresh) each();
    }, { once: true });
  }
  const own = listeners;
  own.add(listener);
  return () => void own.delete(listener);
}

/**
 * `promise`, unless `signal` aborts first: then the signal's reason. For work that may ignore
 * its signal (an injected fetch, a token provider), so that it cannot hold a call forever.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = onAbort(signal, () => reject(signal.reason));
    promise.then(
      (value) => {
        unsubscribe();
        resolve(value);
      },
      (error: unknown) => {
        unsubscribe();
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const unsubscribe = signal
      ? onAbort(signal, () => {
          clearTimeout(timer);
          reject(signal.reason);
        })
      : () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
  });
}

/** The DOMException a timeout aborts with, as `AbortSignal.timeout` does. */
export const timeoutError = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/**
 * A signal that aborts with the caller's reason, or with a TimeoutError after `ms`. Its controller
 * is held by this closure (on Node 20 `AbortSignal.any` is only weakly referenced). `unref`: the
 * timer alone never keeps the process alive. `done()` clears the timer and the subscription.
 */
export interface BoundedSignal {
  signal: AbortSignal;
  /** Whether it was the timer, not the caller, that aborted it. */
  timedOut(): boolean;
  done(): void;
}

export function boundedSignal(callerSignal: AbortSignal | undefined, ms: number, { unref = false } = {}): BoundedSignal {
  const controller = new AbortController();
  let timedOut = false;
  const unsubscribe = callerSignal ? onAbort(callerSignal, () => controller.abort(callerSignal.reason)) : () => {};
  const timer = setTimeout(() => {
    timedOut = true;
    if (!controller.signal.aborted) controller.abort(timeoutError());
  }, ms);
  if (unref) (timer as { unref?: () => void }).unref?.();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done() {
      clearTimeout(timer);
      unsubscribe();
    },
  };
}
