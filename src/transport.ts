/**
 * The `fetch` that openapi-fetch calls: one request, a timeout per attempt, retries only where
 * they are safe, no redirects followed, and response bodies read up to a bound.
 */
import { boundedSignal, raceAbort, sleep } from './abort.js';
import { retryAfterSeconds } from './errors.js';

export interface RetryOptions {
  /** Further attempts after the first. Default 2. */
  retries?: number;
  /** First backoff step. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest wait between attempts, Retry-After included. Default 20 s. */
  maxDelayMs?: number;
}

export interface TransportOptions {
  /** An injected fetch gets a Request; without one, the global fetch is called with (url, init). */
  fetch: ((input: Request) => Promise<Response>) | undefined;
  timeoutMs: number;
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxResponseBytes: number;
  random?: () => number;
}

// Failures that happen before the request leaves this machine, so a retry cannot repeat it.
const connectFailures = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);

function isConnectFailure(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && connectFailures.has(code)) return true;
    current = cause;
  }
  return false;
}

/**
 * `callerSignal` defaults to `request.signal`; pass the caller's own signal where you have it, as
 * a Request re-created from another one (AK/SK signing does that) follows the original's signal
 * only through a weak reference on Node 20, which a garbage collection can break.
 */
export function createTransport(options: TransportOptions): (input: Request, callerSignal?: AbortSignal) => Promise<Response> {
  const { fetch: fetchImpl, timeoutMs, retries, baseDelayMs, maxDelayMs, maxResponseBytes } = options;
  const random = options.random ?? Math.random;
  // Exponential backoff with full jitter.
  const backoff = (attempt: number) => random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);

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
        if (attempt < retries && isConnectFailure(error)) {
          await sleep(backoff(attempt), callerSignal);
          continue;
        }
        throw error;
      }
      if ((response.status === 429 || response.status === 503) && attempt < retries) {
        timeout.done();
        const asked = retryAfterSeconds(response.headers.get('retry-after'));
        await response.body?.cancel().catch(() => {});
        await sleep(Math.min(maxDelayMs, asked === undefined ? backoff(attempt) : asked * 1000), callerSignal);
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

/**
 * The same response, its body cut after `maxBytes` (the rest is never read). `finished` runs once
 * the body is read, cut, cancelled or failed, or at once when there is none.
 */
function limitBody(response: Response, maxBytes: number, finished: () => void, signal: AbortSignal): Response {
  const declared = response.headers.get('content-length');
  if (response.body === null || declared === '0') {
    finished();
    return response;
  }
  const reader = response.body.getReader();
  // The attempt's signal (timeout or caller) ends a pending read even where the fetch in use does
  // not tie its body to the signal (an injected fetch): cancelling settles the read at once.
  const cancelRead = () => void reader.cancel(signal.reason).catch(() => {});
  if (signal.aborted) cancelRead();
  else signal.addEventListener('abort', cancelRead, { once: true });
  let seen = 0;
  const limited = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (signal.aborted) throw signal.reason;
        if (done) {
          finished();
          return controller.close();
        }
        const room = maxBytes - seen;
        seen += value.byteLength;
        if (value.byteLength <= room) return controller.enqueue(value);
        if (room > 0) controller.enqueue(value.subarray(0, room));
        finished();
        controller.close();
        await reader.cancel().catch(() => {});
      } catch (error) {
        finished();
        controller.error(error);
      }
    },
    cancel(reason) {
      finished();
      return reader.cancel(reason);
    },
  });
  const headers = new Headers(response.headers);
  if (Number(declared) > maxBytes) headers.delete('content-length');
  return new Response(limited, { status: response.status, statusText: response.statusText, headers });
}
