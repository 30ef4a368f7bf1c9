/**
 * The transport under stopServer: per-attempt timeouts (headers and body), the caller's
 * AbortSignal, which failures are retried (and how), and bounded reads of error bodies. Every test
 * injects `fetch` (no socket: the real global fetch is in integration/transport.test.ts), and every
 * duration is measured on a fake clock (vi.useFakeTimers), never on the machine's.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { akskAuth, type Attempt, createEcsClient, EcsApiError, type EcsClientOptions, tokenAuth, type Transport, type TransportRequest, type TransportResponse } from '../../src/index.js';
import { limitBody } from '../../src/transport/body-limit.js';
import {
  apiError,
  deferred,
  ENDPOINT,
  expectSettlesAt,
  FAKE_CLOCK,
  fakeFetch,
  fetchFailed,
  json,
  makeClient as baseClient,
  rejection,
  PROJECT,
  SERVER,
  settled,
  silentFetch,
  TOKEN,
  until,
} from '../support/fixtures.js';

const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
const makeClient: typeof baseClient = (fetch, extra = {}) => baseClient(fetch, { retry: FAST_RETRY, ...extra });

afterEach(() => void vi.useRealTimers());

/**
 * A body that sends `start`, then nothing more until the request's signal aborts it; `onStall`
 * runs once the reader has taken `start` and waits for more.
 */
const stallingBody = (request: Request, start: string, onStall = () => {}) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(start));
      request.signal.addEventListener('abort', () => controller.error(request.signal.reason), { once: true });
    },
    pull: () => onStall(),
  });

/** A fetch response that never comes, but that gives up when the request's signal aborts. */
const hang = silentFetch;

const refusedError = () => fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443');

/** Waits `ms` on whatever clock is installed (the fake one in these tests). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('timeouts', () => {
  it("a fetch that never answers → kind 'timeout' after timeoutMs, not retried", async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const f = fakeFetch(hang);
    const outcome = rejection(makeClient(f.fetch, { timeoutMs: 50, retry: { ...FAST_RETRY, retries: 3 } }).stopServer(SERVER));
    await until(() => f.requests.length === 1, 'the request sent');
    await expectSettlesAt(outcome, 50);
    expect(await outcome).toMatchObject({ name: 'EcsApiError', kind: 'timeout', status: undefined });
    await vi.runAllTimersAsync();
    expect(f.requests).toHaveLength(1);
  });

  it("headers arrive, then an error body stalls → kind 'timeout' after timeoutMs", async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const stalled = deferred();
    const f = fakeFetch((request) => {
      return new Response(stallingBody(request, '{"computeFault": {"code": 500, "mess', stalled.resolve), {
        status: 500,
        headers: { 'Content-Type': 'application/json' },
      });
    });
    const outcome = rejection(makeClient(f.fetch, { timeoutMs: 50 }).stopServer(SERVER));
    await stalled.promise;
    await expectSettlesAt(outcome, 50);
    expect(await outcome).toMatchObject({ name: 'EcsApiError', kind: 'timeout' });
    expect(f.requests).toHaveLength(1);
  });

  it('an error body that stalls and ignores the signal → kind timeout after timeoutMs, the body cancelled', async () => {
    // A custom fetch (a mock, another HTTP stack) that does not tie its response body to the
    // request's signal: the transport's own bound must still end the read.
    vi.useFakeTimers(FAKE_CLOCK);
    const stalled = deferred();
    let cancelled = false;
    const f = fakeFetch(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start: (controller) => controller.enqueue(new TextEncoder().encode('{"computeFault": {"code": 500, "mess')),
            pull: () => stalled.resolve(),
            cancel: () => void (cancelled = true),
          }),
          { status: 500, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    const outcome = rejection(makeClient(f.fetch, { timeoutMs: 300 }).stopServer(SERVER));
    await stalled.promise;
    await expectSettlesAt(outcome, 300);
    expect(await outcome).toMatchObject({ name: 'EcsApiError', kind: 'timeout', status: undefined });
    expect(cancelled).toBe(true);
  });

  it('the timeout is per attempt: a slow first answer that is retried does not eat the next attempt', async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const f = fakeFetch(async (_request, call) => {
      await sleep(120);
      return call === 1 ? json(503, { serviceUnavailable: { code: 503, message: 'later' } }) : new Response(null, { status: 202 });
    });
    const started = Date.now();
    const outcome = makeClient(f.fetch, { timeoutMs: 200, retry: { ...FAST_RETRY, retries: 1 } }).stopServer(SERVER);
    await vi.runAllTimersAsync();
    await expect(outcome).resolves.toMatchObject({ status: 202 });
    expect(f.requests).toHaveLength(2);
    // Both answers together took longer than one attempt may.
    expect(Date.now() - started).toBeGreaterThan(200);
  });
});

describe('garbage collection during a request', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  /** Like a real fetch: keeps nothing of the request but a listener on its signal. */
  function forgetfulHang() {
    const state = { calls: 0 };
    const fetch = async (request: Request): Promise<Response> => {
      state.calls++;
      const signal = request.signal;
      return new Promise<Response>((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    };
    return { state, fetch };
  }

  it('the timeout still fires after a GC', async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const f = forgetfulHang();
    const promise = rejection(makeClient(f.fetch, { timeoutMs: 80, retry: false }).stopServer(SERVER));
    await until(() => f.state.calls === 1, 'the request sent');
    gc();
    await vi.advanceTimersByTimeAsync(80);
    expect(await settled(promise)).toBe(true);
    const error = await promise;
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(f.state.calls).toBe(1);
  });

  it.each([
    ['token', () => tokenAuth('tok')],
    ['AK/SK', () => akskAuth({ ak: 'AKGC', sk: 'SKGC' })],
  ])("the caller's abort still arrives after a GC (%s)", async (_label, auth) => {
    const f = forgetfulHang();
    const controller = new AbortController();
    const promise = rejection(makeClient(f.fetch, { auth: auth(), timeoutMs: 10_000, retry: false }).stopServer(SERVER, { signal: controller.signal }));
    await until(() => f.state.calls === 1, 'the request sent');
    gc();
    controller.abort();
    expect(await settled(promise)).toBe(true);
    expect(await promise).toBe(controller.signal.reason);
  });
});

describe("the caller's AbortSignal", () => {
  it('already aborted: rejects with the reason, no fetch at all', async () => {
    const f = fakeFetch(() => new Response(null, { status: 202 }));
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(makeClient(f.fetch).stopServer(SERVER, { signal: controller.signal })).rejects.toBe(reason);
    expect(f.requests).toHaveLength(0);
  });

  it('aborting during the request rejects at once with an AbortError, and nothing is retried', async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const f = fakeFetch(hang);
    const controller = new AbortController();
    const promise = rejection(makeClient(f.fetch, { timeoutMs: 10_000, retry: { ...FAST_RETRY, retries: 3 } }).stopServer(SERVER, { signal: controller.signal }));
    await until(() => f.requests.length === 1, 'the request sent');
    controller.abort();
    // At once: without the clock moving.
    expect(await settled(promise)).toBe(true);
    const error = await promise;
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
    expect(error).not.toBeInstanceOf(EcsApiError);
    await vi.runAllTimersAsync();
    expect(f.requests).toHaveLength(1);
  });

  it('aborting during a retry wait rejects at once with the reason; no further fetch', async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const f = fakeFetch(() => json(429, { overLimit: { code: 429, message: 'slow down' } }, { 'Retry-After': '30' }));
    const controller = new AbortController();
    const promise = rejection(makeClient(f.fetch, { retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 60_000 } }).stopServer(SERVER, { signal: controller.signal }));
    await until(() => f.requests.length === 1, 'the request sent');
    await vi.advanceTimersByTimeAsync(29_000);
    expect(await settled(promise)).toBe(false);
    expect(f.requests).toHaveLength(1); // still waiting the 30 s Retry-After
    controller.abort();
    expect(await settled(promise)).toBe(true);
    const error = await promise;
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
    await vi.runAllTimersAsync();
    expect(f.requests).toHaveLength(1);
  });

  it('aborting while an error body is being read rejects with the reason', async () => {
    const stalled = deferred();
    const f = fakeFetch((request) => {
      return new Response(stallingBody(request, '{"x":', stalled.resolve), { status: 500 });
    });
    const controller = new AbortController();
    const reason = new DOMException('stop it', 'AbortError');
    const promise = makeClient(f.fetch, { timeoutMs: 10_000 }).stopServer(SERVER, { signal: controller.signal });
    await stalled.promise;
    controller.abort(reason);
    await expect(promise).rejects.toBe(reason);
  });
});

describe('retries', () => {
  it.each([429, 503])('%i is retried, and success after it resolves', async (status) => {
    const f = fakeFetch((_request, call) => (call < 3 ? json(status, { error_code: 'APIGW.0308', error_msg: 'throttled' }) : new Response(null, { status: 202 })));
    await expect(makeClient(f.fetch, { retry: { ...FAST_RETRY, retries: 2 } }).stopServer(SERVER)).resolves.toMatchObject({ status: 202 });
    expect(f.requests).toHaveLength(3);
  });

  it.each([429, 503])('%i: gives up after `retries` and throws the last error with its status', async (status) => {
    const f = fakeFetch((_request, call) => json(status, { error_code: 'APIGW.0308', error_msg: `attempt ${call}` }, { 'X-Request-Id': `rid-${call}` }));
    const error = await apiError(makeClient(f.fetch, { retry: { ...FAST_RETRY, retries: 2 } }).stopServer(SERVER));
    expect(f.requests).toHaveLength(3);
    expect(error).toMatchObject({ status, kind: 'gateway', code: 'APIGW.0308', message: 'attempt 3', requestId: 'rid-3' });
  });

  it('the default is 2 retries', async () => {
    const f = fakeFetch(() => new Response(null, { status: 503 }));
    const error = await apiError(makeClient(f.fetch, { retry: { baseDelayMs: 1, maxDelayMs: 5 } }).stopServer(SERVER));
    expect(error.status).toBe(503);
    expect(f.requests).toHaveLength(3);
  });

  it('Retry-After is honoured, capped by maxDelayMs', async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const f = fakeFetch((_request, call) => (call === 1 ? json(429, { overLimit: { code: 429, message: 'x' } }, { 'Retry-After': '1' }) : new Response(null, { status: 202 })));
    const outcome = makeClient(f.fetch, { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 80 } }).stopServer(SERVER);
    await until(() => f.requests.length === 1, 'the first request sent');
    // It waits for Retry-After (not the 1 ms backoff)...
    await vi.advanceTimersByTimeAsync(79);
    expect(f.requests).toHaveLength(1);
    // ...but no longer than maxDelayMs, not the full second.
    await vi.advanceTimersByTimeAsync(1);
    await until(() => f.requests.length === 2, 'the retry sent');
    await expect(outcome).resolves.toMatchObject({ status: 202 });
  });

  it.each([
    ['seconds', () => '3600'],
    ['HTTP date', () => new Date(Date.now() + 3_600_000).toUTCString()],
  ])('a far Retry-After (%s) is capped by maxDelayMs', async (_label, retryAfter) => {
    vi.useFakeTimers(FAKE_CLOCK);
    const f = fakeFetch((_request, call) => (call === 1 ? new Response(null, { status: 503, headers: { 'Retry-After': retryAfter() } }) : new Response(null, { status: 204 })));
    const outcome = makeClient(f.fetch, { retry: { retries: 1, ...FAST_RETRY } }).stopServer(SERVER);
    await until(() => f.requests.length === 1, 'the first request sent');
    await vi.advanceTimersByTimeAsync(FAST_RETRY.maxDelayMs);
    await until(() => f.requests.length === 2, 'the retry sent');
    await expect(outcome).resolves.toMatchObject({ status: 204 });
  });

  it('ECONNREFUSED is retried', async () => {
    const f = fakeFetch((_request, call) => {
      if (call < 3) throw refusedError();
      return new Response(null, { status: 202 });
    });
    await expect(makeClient(f.fetch, { retry: { ...FAST_RETRY, retries: 2 } }).stopServer(SERVER)).resolves.toMatchObject({ status: 202 });
    expect(f.requests).toHaveLength(3);
  });

  it('ECONNREFUSED every time: gives up after `retries` with a network error', async () => {
    const f = fakeFetch(() => {
      throw refusedError();
    });
    const error = await apiError(makeClient(f.fetch, { retry: { ...FAST_RETRY, retries: 4 } }).stopServer(SERVER));
    expect(error).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
    expect(f.requests).toHaveLength(5);
  });

  it.each([500, 502, 504])('%i is not retried', async (status) => {
    const f = fakeFetch(() => json(status, { error_code: 'APIGW.0201', error_msg: 'Backend unavailable' }));
    const error = await apiError(makeClient(f.fetch, { retry: { ...FAST_RETRY, retries: 3 } }).stopServer(SERVER));
    expect(error.status).toBe(status);
    expect(f.requests).toHaveLength(1);
  });

  it.each([
    ['a plain TypeError', () => new TypeError('fetch failed')],
    ['ECONNRESET', () => new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) })],
    ['UND_ERR_SOCKET', () => new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })],
  ])('a network error that may have reached the server (%s) is not retried', async (_label, makeError) => {
    const f = fakeFetch(() => {
      throw makeError();
    });
    const error = await apiError(makeClient(f.fetch, { retry: { ...FAST_RETRY, retries: 3 } }).stopServer(SERVER));
    expect(error.kind).toBe('network');
    expect(f.requests).toHaveLength(1);
  });

  it('retry: false → exactly one call, for 429, 503 and ECONNREFUSED', async () => {
    for (const handler of [
      () => json(429, { overLimit: { code: 429, message: 'x' } }),
      () => new Response(null, { status: 503 }),
      () => {
        throw refusedError();
      },
    ]) {
      const f = fakeFetch(handler);
      await apiError(makeClient(f.fetch, { retry: false }).stopServer(SERVER));
      expect(f.requests).toHaveLength(1);
    }
  });

  it('retries: 0 → exactly one call', async () => {
    const f = fakeFetch(() => new Response(null, { status: 429 }));
    await apiError(makeClient(f.fetch, { retry: { ...FAST_RETRY, retries: 0 } }).stopServer(SERVER));
    expect(f.requests).toHaveLength(1);
  });

  it('the same signed body and headers are sent again on retry (AK/SK)', async () => {
    const f = fakeFetch((_request, call) => {
      if (call === 1) throw refusedError();
      if (call === 2) return new Response(null, { status: 503 });
      return new Response(null, { status: 202 });
    });
    const auth = akskAuth({ ak: 'AKRETRY', sk: 'SKRETRY', securityToken: 'STSRETRY' });
    await makeClient(f.fetch, { auth, retry: { ...FAST_RETRY, retries: 2 } }).stopServer(SERVER, { type: 'HARD' });
    expect(f.requests).toHaveLength(3);
    const headerSets = f.requests.map((request) => [...request.headers].sort());
    expect(headerSets[0]).toContainEqual(['authorization', expect.stringMatching(/^SDK-HMAC-SHA256 Access=AKRETRY, /)]);
    expect(headerSets[1]).toEqual(headerSets[0]);
    expect(headerSets[2]).toEqual(headerSets[0]);
    expect(f.bodies).toEqual(['{"os-stop":{"type":"HARD"}}', '{"os-stop":{"type":"HARD"}}', '{"os-stop":{"type":"HARD"}}']);
    expect(new Set(f.requests.map((request) => `${request.method} ${request.url} ${request.redirect}`)).size).toBe(1);
  });
});

describe('bounded reads', () => {
  it('a body whose attempt was aborted before it was handed over is never read', async () => {
    let pulled = false;
    const body = new ReadableStream({ pull: () => void (pulled = true) });
    const aborted = AbortSignal.abort(new DOMException('gone', 'AbortError'));
    let finished = 0;
    const limited = limitBody(new Response(body, { status: 200 }), 1024, () => finished++, aborted);
    await expect(limited.text()).rejects.toThrow('gone');
    expect(finished).toBeGreaterThanOrEqual(1);
    expect(pulled).toBe(false);
  });

  const MiB = 1024 * 1024;
  const CHUNK = 64 * 1024;

  /** A 5 MB body served in 64 KiB chunks on demand, counting what is pulled. */
  function bigBody(first: string) {
    const state = { pulled: 0, cancelled: false };
    const total = 5 * 1000 * 1000;
    const head = new TextEncoder().encode(first);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (state.pulled >= total) return controller.close();
        const chunk = new Uint8Array(Math.min(CHUNK, total - state.pulled)).fill(0x61);
        if (state.pulled === 0) chunk.set(head);
        state.pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        state.cancelled = true;
      },
    });
    return { state, stream, total };
  }

  it.each([
    ['a JSON-looking Nova fault', '{"computeFault": {"code": 500, "message": "', 500],
    ['plain text', 'aaaa', 502],
  ])('an error response with a 5 MB body (%s): at most ~1 MiB is read, still a typed EcsApiError', async (_label, first, status) => {
    const { state, stream, total } = bigBody(first);
    const f = fakeFetch(() => new Response(stream, { status, headers: { 'Content-Length': String(total) } }));
    const error = await apiError(makeClient(f.fetch).stopServer(SERVER));
    expect(error).toMatchObject({ status, kind: 'http' });
    expect(error.message).toMatch(new RegExp(`^HTTP ${status}\\b`));
    expect(state.pulled).toBeLessThanOrEqual(MiB + 4 * CHUNK);
    await until(() => state.cancelled, 'the rest of the body cancelled');
  });

  it('a retried 503 with a 5 MB body is not read at all', async () => {
    const big = bigBody('x');
    const f = fakeFetch((_request, call) => (call === 1 ? new Response(big.stream, { status: 503 }) : new Response(null, { status: 202 })));
    await makeClient(f.fetch, { retry: { ...FAST_RETRY, retries: 1 } }).stopServer(SERVER);
    expect(big.state.pulled).toBeLessThanOrEqual(2 * CHUNK);
    expect(big.state.cancelled).toBe(true);
  });

  it('a small error body within the bound is read whole', async () => {
    const message = 'm'.repeat(900 * 1024);
    const f = fakeFetch(() => json(409, { conflictingRequest: { code: 409, message } }));
    const error = await apiError(makeClient(f.fetch).stopServer(SERVER));
    expect(error.kind).toBe('conflictingRequest');
    expect(error.message).toBe(message);
  });
});

describe('every response body is released', () => {
  /** A body that records whether it was read to its end or cancelled (an unread body keeps the exchange in memory). */
  function trackedBody(text: string) {
    const state = { released: false };
    const bytes = new TextEncoder().encode(text);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.byteLength > 0) controller.enqueue(bytes);
      },
      pull(controller) {
        state.released = true;
        controller.close();
      },
      cancel() {
        state.released = true;
      },
      // Pulled only when read: never on its own.
    }, { highWaterMark: 0 });
    return { state, stream };
  }

  it.each([
    ['a 202 with Content-Length: 0 (Nova)', 202, '', { 'Content-Length': '0' }],
    ['a 202 with a body', 202, '{"note":"accepted"}', {}],
    ['a 204', 204, '', {}],
  ])('stopServer: %s', async (_label, status, text, headers) => {
    const body = trackedBody(text);
    // A 204 cannot carry a body in a Response: it is given one as a fetch over the wire would.
    const response = new Response(status === 204 ? null : body.stream, { status: status === 204 ? 200 : status, headers });
    if (status === 204) Object.defineProperties(response, { status: { value: 204 }, body: { value: body.stream } });
    const result = await makeClient(fakeFetch(() => response).fetch).stopServer(SERVER);
    expect(result.status).toBe(status);
    await until(() => body.state.released, 'the body read or cancelled');
  });

  it.each([
    ['an error with Content-Length: 0', 409, '', { 'Content-Length': '0' }],
    ['an error with a JSON body', 409, '{"conflictingRequest":{"code":409,"message":"m"}}', {}],
    ['a retried 503 with Content-Length: 0', 503, '', { 'Content-Length': '0' }],
  ])('stopServer: %s', async (_label, status, text, headers) => {
    const body = trackedBody(text);
    const f = fakeFetch((_request, call) => (call === 1 ? new Response(body.stream, { status, headers }) : new Response(null, { status: 409 })));
    await rejection(makeClient(f.fetch, { retry: { ...FAST_RETRY, retries: 1 } }).stopServer(SERVER));
    await until(() => body.state.released, 'the body read or cancelled');
  });

  it('getServer: a 200 read to its end', async () => {
    const body = trackedBody('{"server":{"id":"x","status":"ACTIVE"}}');
    const server = await makeClient(fakeFetch(() => new Response(body.stream, { status: 200 })).fetch).getServer(SERVER);
    expect(server.status).toBe('ACTIVE');
    expect(body.state.released).toBe(true);
  });
});

describe('a transport of your own (the transport option)', () => {
  /** A transport answering `answer` to each attempt, recording what it was given. */
  function recording(answer: (attempt: Attempt) => Promise<TransportResponse>) {
    const calls: { request: TransportRequest; attempt: Attempt }[] = [];
    const transport: Transport = (request, attempt) => {
      calls.push({ request, attempt });
      return answer(attempt);
    };
    return { calls, transport };
  }
  const bodyless = (status: number, attempt: Attempt, headers: Record<string, string> = {}): Promise<TransportResponse> => {
    const head = new Headers(headers);
    return Promise.resolve({
      status,
      statusText: '',
      headers: head,
      text: async () => (attempt.finished(), ''),
      stream: () => (attempt.finished(), null),
      discard: () => attempt.finished(),
    });
  };

  const transportClient = (transport: Transport, extra: Partial<EcsClientOptions> = {}) =>
    createEcsClient({ endpoint: ENDPOINT, projectId: PROJECT, auth: tokenAuth(TOKEN), retry: false, transport, ...extra });

  it('gets each attempt as plain data, authorized, with the bound and a signal, and reports its end', async () => {
    let finished = 0;
    const { calls, transport } = recording((attempt) => bodyless(202, { ...attempt, finished: () => finished++ }, { 'x-openstack-request-id': 'req-1' }));
    const result = await transportClient(transport).stopServer(SERVER, { type: 'SOFT' });
    expect(result).toMatchObject({ status: 202, requestId: 'req-1' });
    expect(calls).toHaveLength(1);
    const { request, attempt } = calls[0]!;
    expect(request).toEqual({
      method: 'POST',
      url: expect.stringMatching(new RegExp(`/v2\\.1/[0-9a-f]{32}/servers/${SERVER}/action$`)),
      headers: expect.objectContaining({ 'content-type': 'application/json', 'x-auth-token': expect.any(String), 'x-project-id': expect.any(String) }),
      body: '{"os-stop":{"type":"SOFT"}}',
    });
    expect(Object.keys(request.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(attempt.maxResponseBytes).toBe(1024 * 1024);
    expect(attempt.signal.aborted).toBe(false);
    expect(finished).toBe(1);
  });

  it("its attempt's signal aborts at timeoutMs (kind timeout) and with the caller's signal", async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const hangs = (attempt: Attempt) => new Promise<TransportResponse>((_resolve, reject) => attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason)));
    const timed = recording(hangs);
    const outcome = rejection(transportClient(timed.transport, { timeoutMs: 50 }).stopServer(SERVER));
    await expectSettlesAt(outcome, 50);
    expect(await outcome).toMatchObject({ kind: 'timeout' });
    const controller = new AbortController();
    const aborted = recording(hangs);
    const call = rejection(transportClient(aborted.transport).stopServer(SERVER, { signal: controller.signal }));
    await until(() => aborted.calls.length === 1, 'the attempt started');
    controller.abort();
    expect(await call).toBe(controller.signal.reason);
  });

  it('a failure with a connect code is retried as fetch failures are; any other is not', async () => {
    const refused = recording(() => Promise.reject(refusedError()));
    await rejection(transportClient(refused.transport, { retry: { ...FAST_RETRY, retries: 2 } }).stopServer(SERVER));
    expect(refused.calls).toHaveLength(3);
    const reset = recording(() => Promise.reject(fetchFailed('ECONNRESET', 'read ECONNRESET')));
    const error = await apiError(transportClient(reset.transport, { retry: { ...FAST_RETRY, retries: 2 } }).stopServer(SERVER));
    expect(error).toMatchObject({ kind: 'network', code: 'ECONNRESET' });
    expect(reset.calls).toHaveLength(1);
  });
});
