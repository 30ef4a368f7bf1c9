/**
 * The attempt loop every request goes through, whatever the transport: a timeout per attempt
 * (which also bounds the body), the caller's signal, and retries as the retry policy allows.
 */
import { boundedSignal, sleep } from '../abort.js';
import type { RetryPolicy } from './retry-policy.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/** How much of a response body the client reads, at most. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface AttemptOptions {
  transport: Transport;
  timeoutMs: number;
  retry: RetryPolicy;
  maxResponseBytes: number;
}

export type Send = (request: TransportRequest, callerSignal: AbortSignal | undefined) => Promise<TransportResponse>;

export function withAttempts({ transport, timeoutMs, retry, maxResponseBytes }: AttemptOptions): Send {
  return async function send(request, callerSignal) {
    for (let attempt = 0; ; attempt++) {
      callerSignal?.throwIfAborted();
      // Never keeps a process alive for the timer alone (a pending request keeps it alive anyway).
      const bound = boundedSignal(callerSignal, timeoutMs, { unref: true });
      let response: TransportResponse;
      try {
        response = await transport(request, { signal: bound.signal, maxResponseBytes, finished: bound.done });
      } catch (error) {
        bound.done();
        if (callerSignal?.aborted) throw callerSignal.reason;
        if (bound.timedOut()) throw bound.signal.reason;
        const delay = retry.delayAfterFailure(error, attempt);
        if (delay === undefined) throw error;
        await sleep(delay, callerSignal);
        continue;
      }
      const delay = retry.delayAfterResponse(response, attempt);
      if (delay === undefined) return response;
      response.discard();
      await sleep(delay, callerSignal);
    }
  };
}
