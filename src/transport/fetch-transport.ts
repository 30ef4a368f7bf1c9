/**
 * The default transport: one attempt sent with `fetch` (the global one, or one injected), no
 * redirects followed, the response body cut after the attempt's bound.
 */
import { raceAbort } from '../abort.js';
import { limitBody } from './body-limit.js';
import type { Transport, TransportResponse } from './transport.js';

/** An injected fetch gets a Request; without one, the global fetch is called with (url, init), which saves it a copy. */
export function fetchTransport(fetchImpl?: (input: Request) => Promise<Response>): Transport {
  return async function send(request, { signal, maxResponseBytes, finished }) {
    const init: RequestInit = { method: request.method, headers: request.headers, body: request.body, redirect: 'manual', signal };
    // A Request follows its signal only through a weak reference on Node 20: it is held here until
    // the body is done with, so that a garbage collection cannot lose the timeout or the abort.
    let held = fetchImpl ? new Request(request.url, init) : undefined;
    const pending = held ? fetchImpl!(held) : globalThis.fetch(request.url, init);
    let response: Response;
    try {
      // Raced, as an injected fetch may ignore its signal while waiting for headers (the global one does not).
      response = await (held ? raceAbort(pending, signal) : pending);
    } catch (error) {
      // A response that arrives after all is never read: release its connection.
      if (signal.aborted) pending.then((late) => late.body?.cancel().catch(() => {}), () => {});
      throw error;
    }
    return webResponse(response, maxResponseBytes, signal, () => {
      held = undefined;
      finished();
    });
  };
}

/** A fetch Response as a TransportResponse: its body read once, within `maxBytes`. */
export function webResponse(response: Response, maxBytes: number, signal: AbortSignal, finished: () => void): TransportResponse {
  let used = false;
  const take = (): Response => {
    if (used) throw new TypeError('the response body was already used');
    used = true;
    return limitBody(response, maxBytes, finished, signal);
  };
  return {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    text: async () => take().text(),
    stream: () => take().body,
    discard() {
      if (used) return;
      used = true;
      finished();
      // An unread body keeps the whole exchange in memory (undici). An empty one (Nova's 202) is
      // read, which costs less than cancelling (undici makes an AbortError for that); any other is cancelled.
      if (response.headers.get('content-length') === '0') response.arrayBuffer().catch(() => {});
      else response.body?.cancel().catch(() => {});
    },
  };
}
