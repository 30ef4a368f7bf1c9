/**
 * Attacks on the transport's promises (README: a timeout per attempt, the caller's signal ending
 * everything at once, bounded waits): each row a way to hold a call forever or to skip a bound,
 * and what must happen instead. No row depends on the machine's speed: the bounds under test run
 * on a fake clock (vi.useFakeTimers), and an abort comes once the call is known to be held.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryAfterSeconds } from '../../src/http.js';
import { EcsApiError, EcsWaitError, tokenAuth } from '../../src/index.js';
import { checkWaitOptions } from '../../src/nova/server-wait.js';
import { deferred, expectSettlesAt, FAKE_CLOCK, fakeFetch, json, makeClient, never, nextTurn, rejection, SERVER, settled, silentFetch, stopThenRead } from '../support/fixtures.js';

afterEach(() => void vi.useRealTimers());

/** A fetch that ignores its signal and never answers. */
const deafFetch = () => never<Response>();

/** `hold`, after it has called `reached()`: where a call is to be held when the caller aborts or the clock moves. */
const marking = <A extends unknown[], R>(reached: () => void, hold: (...args: A) => R) => (...args: A): R => {
  reached();
  return hold(...args);
};

describe('a call that could hang forever ends', () => {
  it.each([
    ['a token provider that never settles, the caller aborts', 'provider', 'abort'],
    ['a token provider that never settles, timeoutMs passes', 'provider', 'timeout'],
    ['an injected fetch that ignores its signal, the caller aborts', 'fetch', 'abort'],
    ['an injected fetch that ignores its signal, timeoutMs passes', 'fetch', 'timeout'],
  ] as const)('%s', async (_, held, ending) => {
    vi.useFakeTimers(FAKE_CLOCK);
    const reached = deferred();
    const hold = marking(reached.resolve, never);
    const options = held === 'provider' ? { auth: tokenAuth(hold) } : { fetch: hold as () => Promise<Response> };
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = rejection(
      makeClient(fakeFetch().fetch, { ...options, ...(ending === 'timeout' ? { timeoutMs: 20 } : {}) }).stopServer(SERVER, ending === 'abort' ? { signal: controller.signal } : {}),
    );
    await reached.promise;
    expect(await settled(call)).toBe(false);
    if (ending === 'abort') controller.abort(reason);
    else await vi.advanceTimersByTimeAsync(20);
    expect(await settled(call)).toBe(true);
    const error = await call;
    if (ending === 'abort') expect(error).toBe(reason);
    else expect(error).toMatchObject({ name: 'EcsApiError', kind: 'timeout', status: undefined });
  });

  it.each([
    ['a server read in flight that never answers', silentFetch, {}],
    ['a read answered 503 with Retry-After: 3600, retried', () => json(503, { serviceUnavailable: { code: 503, message: 'later' } }, { 'Retry-After': '3600' }), { retry: { retries: 5, maxDelayMs: 600_000 } }],
    ['a read that ignores its signal', deafFetch, {}],
  ] as const)('wait.timeoutMs bounds the whole wait: %s', async (_, read, extra) => {
    vi.useFakeTimers(FAKE_CLOCK);
    const reading = deferred();
    const ecs = makeClient(fakeFetch(stopThenRead(marking(reading.resolve, read as (request: Request) => Response))).fetch, { timeoutMs: 600_000, ...extra });
    const call = rejection(ecs.stopServer(SERVER, { wait: { timeoutMs: 30, intervalMs: 5 } }));
    await reading.promise;
    await expectSettlesAt(call, 30);
    const error = await call;
    expect(error).toBeInstanceOf(EcsWaitError);
    expect(error).toMatchObject({ reason: 'timeout' });
  });

  it("a wait whose caller aborts during a read ends with the caller's reason", async () => {
    const reading = deferred();
    const controller = new AbortController();
    const ecs = makeClient(fakeFetch(stopThenRead(marking(reading.resolve, silentFetch))).fetch);
    const call = rejection(ecs.stopServer(SERVER, { wait: true, signal: controller.signal }));
    await reading.promise;
    controller.abort('stop waiting');
    expect(await call).toBe('stop waiting');
  });
});

describe('what a token provider is given and what its failure shows', () => {
  it('a provider that throws is kind auth, with none of its text', async () => {
    const error = await rejection(makeClient(fakeFetch().fetch, { auth: tokenAuth(() => { throw new TypeError('vault said: password=hunter2'); }) }).stopServer(SERVER));
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toMatchObject({ kind: 'auth', status: undefined });
    expect((error as Error).cause).toBeUndefined();
    expect((error as Error).message).toMatch(/^Getting credentials failed before the request was sent \(TypeError\)/);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('a provider is given a signal that aborts with the call', async () => {
    let given: AbortSignal | undefined;
    const controller = new AbortController();
    const asked = deferred();
    const call = makeClient(fakeFetch().fetch, { auth: tokenAuth(({ signal }) => ((given = signal), asked.resolve(), never())) }).stopServer(SERVER, { signal: controller.signal });
    await asked.promise;
    expect(given).toBeInstanceOf(AbortSignal);
    expect(given!.aborted).toBe(false);
    controller.abort('enough');
    expect(await rejection(call)).toBe('enough');
    expect(given!.aborted).toBe(true);
  });

  it('nothing is sent when the provider fails', async () => {
    const f = fakeFetch();
    await rejection(makeClient(f.fetch, { auth: tokenAuth(() => Promise.reject(new Error('no'))) }).stopServer(SERVER));
    expect(f.requests).toHaveLength(0);
  });
});

describe('bounds that must hold from the first step', () => {
  it.each([
    [{ intervalMs: 3000, maxIntervalMs: 100 }, 100],
    [{ intervalMs: 50, maxIntervalMs: 100 }, 50],
    [{ maxIntervalMs: 1 }, 1],
  ])('wait %j pauses at most maxIntervalMs the first time: %i ms', (options, first) => {
    expect(checkWaitOptions(options).intervalMs).toBe(first);
  });

  it.each([
    ['1.5', undefined],
    ['-5', undefined],
    ['3, 4', undefined],
    ['1e3', undefined],
    ['soon', undefined],
    ['0x10', undefined],
    ['', undefined],
    ['7', 7],
    [' 12 ', 12],
    ['Sun, 06 Nov 1994 08:49:37 GMT', 0],
  ])('Retry-After %j is %s seconds', (value, seconds) => {
    expect(retryAfterSeconds(value)).toBe(seconds);
  });

  it.each([
    ['IMF-fixdate', (d: Date) => d.toUTCString()],
    ['RFC 850', (d: Date) => d.toUTCString().replace(/^(\w{3}), (\d{2}) (\w{3}) \d{2}(\d{2})/, (_, day: string, dd: string, mon: string, yy: string) => `${{ Sun: 'Sunday', Mon: 'Monday', Tue: 'Tuesday', Wed: 'Wednesday', Thu: 'Thursday', Fri: 'Friday', Sat: 'Saturday' }[day]}, ${dd}-${mon}-${yy}`)],
    ['asctime', (d: Date) => { const [day, dd, mon, year, time] = d.toUTCString().split(' '); return `${day!.slice(0, 3)} ${mon} ${dd!.replace(/^0/, ' ')} ${time} ${year}`; }],
  ])('Retry-After as an HTTP date (%s) counts the seconds until then', (_, format) => {
    const now = Date.UTC(2026, 11, 2, 6, 0, 0);
    expect(retryAfterSeconds(format(new Date(now + 90_000)), now)).toBe(90);
  });
});

describe('one signal shared by many calls', () => {
  it('1,000 concurrent calls on one signal raise no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const ecs = makeClient(fakeFetch(() => new Response(null, { status: 202 })).fetch);
      const results = await Promise.all(Array.from({ length: 1000 }, () => ecs.stopServer(SERVER, { signal: controller.signal })));
      expect(results.every((r) => r.status === 202)).toBe(true);
      await nextTurn();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});
