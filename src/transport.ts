/**
 * The `fetch` that openapi-fetch calls: one request, a timeout per attempt, retries only where
 * they are safe, no redirects followed, and response bodies read up to a bound.
 */

export interface RetryOptions {
  /** Further attempts after the first. Default 2. */
  retries?: number;
  /** First backoff step. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest wait between attempts, Retry-After included. Default 20 s. */
  maxDelayMs?: number;
}

export interface TransportOptions {
  fetch: (input: Request) => Promise<Response>;
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

export function createTransport(options: TransportOptions): (input: Request) => Promise<Response> {
  const { fetch: fetchImpl, timeoutMs, retries, baseDelayMs, maxDelayMs, maxResponseBytes } = options;
  const random = options.random ?? Math.random;
  // Exponential backoff with full jitter.
  const backoff = (attempt: number) => random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);

  return async function send(request) {
    const callerSignal = request.signal;
    const body = request.body === null ? null : await request.arrayBuffer();
    for (let attempt = 0; ; attempt++) {
      callerSignal.throwIfAborted();
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetchImpl(
          new Request(request.url, {
            method: request.method,
            headers: request.headers,
            body,
            redirect: 'manual',
            signal: AbortSignal.any([callerSignal, timeout]),
          }),
        );
      } catch (error) {
        if (callerSignal.aborted) throw callerSignal.reason;
        if (timeout.aborted) throw timeout.reason;
        if (attempt < retries && isConnectFailure(error)) {
          await sleep(backoff(attempt), callerSignal);
          continue;
        }
        throw error;
      }
      if ((response.status === 429 || response.status === 503) && attempt < retries) {
        const asked = retryAfterMs(response.headers.get('retry-after'));
        await response.body?.cancel().catch(() => {});
        await sleep(Math.min(maxDelayMs, asked ?? backoff(attempt)), callerSignal);
        continue;
      }
      return limitBody(response, maxResponseBytes);
    }
  };
}

function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The same response, its body cut after `maxBytes` (the rest is never read). */
function limitBody(response: Response, maxBytes: number): Response {
  const declared = response.headers.get('content-length');
  if (response.body === null || declared === '0') return response;
  let seen = 0;
  const limited = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const room = maxBytes - seen;
        seen += chunk.byteLength;
        if (chunk.byteLength <= room) return controller.enqueue(chunk);
        if (room > 0) controller.enqueue(chunk.subarray(0, room));
        controller.terminate();
      },
    }),
  );
  const headers = new Headers(response.headers);
  if (Number(declared) > maxBytes) headers.delete('content-length');
  return new Response(limited, { status: response.status, statusText: response.statusText, headers });
}
