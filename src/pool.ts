/** Work on many items, a few at a time, for whatever reads or stops servers in bulk. */
import { onAbort } from './abort.js';

/**
 * Runs `work` on each item, `limit` at a time; the first error stops the rest (their signal
 * aborts) and is thrown.
 */
export async function eachInPool<T>(items: T[], limit: number, signal: AbortSignal | undefined, work: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const unsubscribe = signal ? onAbort(signal, () => stop.abort(signal.reason)) : () => {};
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item, stop.signal);
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  } finally {
    unsubscribe();
  }
  if (failure) throw failure.error;
}
