/**
 * The default transport: one request sent with `fetch`, a timeout per attempt (which also bounds
 * the body), retries as the retry policy allows, no redirects followed, and response bodies read
 * up to a bound.
 */
import { boundedSignal, raceAbort, sleep } from '../abort.js';
import { limitBody } from './body-limit.js';
import type { RetryPolicy } from './retry-policy.js';

/** Sends a request; `callerSignal` (default `request.signal`) aborts it. */
export type Transport = (request: Request, callerSignal?: AbortSignal) => Promise<Response>;

export interface FetchTransportOptions {
  /** An injected fetch gets a Request; without one, the global fetch is called with (url, init). */
  fetch: ((input: Request) => Promise<Response>) | undefined;
  timeoutMs: number;
  retry: RetryPolicy;
  maxResponseBytes: number;
}

/**
 * Pass the caller's own signal where you have it, as a Request re-created from another one (AK/SK
 * signing does that) follows the original's signal only through a weak reference on Node 20,
 * which a garbage collection can break.
 */
export function fetchTransport(options: FetchTransportOptions): Transport {
  const { fetch: fetchImpl, timeoutMs, retry, maxResponseBytes } = options;

  return async function send(request, callerSignal = request.signal) {
    const body = request.body === null ? null : await request.arrayBuffer();
    for (let attempt = 0; ; attempt++) {
      callerSignal.throwIfAborted();
      const timeout = startAttempt(callerSignal, timeoutMs);
      const init: RequestInit = { method: request.method, headers: request.headers, body, redirect: 'manual', signal: timeout.signal };
      let response: Response;
      // Building a Request only for an injected fetch saves the global fetch one copy per call.
      const pending = fetchImpl ? fetchImpl(timeout.hold(new Request(request.url, init))) : globalThis.fetch(request.url, init);
      try {
        // Raced, as an injected fetch may ignore its signal while waiting for headers.
        response = await raceAbort(pending, timeout.signal);
      } catch (error) {
        timeout.done();
        // A response that arrives after all is never read: release its connection.
        if (timeout.signal.aborted) pending.then((late) => late.body?.cancel().catch(() => {}), () => {});
        if (callerSignal.aborted) throw callerSignal.reason;
        if (timeout.timedOut()) throw timeout.signal.reason;
        const delay = retry.delayAfterFailure(error, attempt);
        if (delay === undefined) throw error;
        await sleep(delay, callerSignal);
        continue;
      }
      const delay = retry.delayAfterResponse(response, attempt);
      if (delay !== undefined) {
        timeout.done();
        await response.body?.cancel().catch(() => {});
        await sleep(delay, callerSignal);
        continue;
      }
      // The attempt's timer keeps bounding the body; it is cleared once the body is done with.
      return limitBody(response, maxResponseBytes, timeout.done, timeout.signal);
    }
  };
}

/**
 * One attempt's signal, which aborts with the caller's signal or with a TimeoutError after `ms`
 * (which also bounds reading the body). The Request given to `hold` is held strongly until the
 * timer fires or `done()`: a Request follows its signal through a weak reference on Node 20, so
 * after a garbage collection mid-request neither the timeout nor an abort would arrive.
 */
function startAttempt(callerSignal: AbortSignal, ms: number) {
  // Never keep a process alive for the timer alone (a pending request keeps it alive anyway).
  const bound = boundedSignal(callerSignal, ms, { unref: true });
  let held: Request | undefined;
  bound.signal.addEventListener('abort', () => (held = undefined), { once: true });
  return {
    ...bound,
    hold(request: Request) {
      held = request;
      return held;
    },
    done() {
      held = undefined;
      bound.done();
    },
  };
}

