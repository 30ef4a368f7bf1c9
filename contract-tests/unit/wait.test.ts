import { afterEach, describe, expect, it, vi } from 'vitest';
import { EcsApiError, EcsInputError, EcsWaitError, type Server, type StopProgress } from '../../src/index.js';
import { checkWaitOptions, waitForShutoff } from '../../src/nova/server-wait.js';
import { deferred, expectSettlesAt, FAKE_CLOCK, fakeFetch, makeClient as client, PROJECT, rejection, SERVER, settled } from '../support/fixtures.js';

afterEach(() => void vi.useRealTimers());

const server = (status: Server['status'], taskState: string | null = null): Server => ({
  id: SERVER,
  status,
  'OS-EXT-STS:task_state': taskState,
  'OS-EXT-STS:vm_state': status === 'SHUTOFF' ? 'stopped' : status === 'ERROR' ? 'error' : 'active',
  links: [],
});

/** A fetch that answers the stop with 202 (or `stopStatus`) and each read with the next of `reads`. */
function serverFetch(reads: (Server | number)[], stopStatus = 202, stopBody?: unknown) {
  const f = fakeFetch((request) => {
    if (request.method === 'POST') {
      return new Response(stopBody === undefined ? null : JSON.stringify(stopBody), { status: stopStatus });
    }
    const next = reads.length > 1 ? reads.shift()! : reads[0]!;
    if (typeof next === 'number') {
      return Response.json({ itemNotFound: { code: next, message: `Instance ${SERVER} could not be found.` } }, { status: next });
    }
    return Response.json({ server: next });
  });
  const calls = {
    /** `METHOD path` of each request so far. */
    get all() {
      return f.requests.map((request) => `${request.method} ${new URL(request.url).pathname}`);
    },
    get reads() {
      return calls.all.filter((c) => c.startsWith('GET'));
    },
  };
  return { fetch: f.fetch, calls };
}

const fast = { intervalMs: 1, maxIntervalMs: 2 };

describe('getServer', () => {
  it('reads GET /v2.1/{p}/servers/{id} and returns the server object', async () => {
    const { fetch, calls } = serverFetch([server('ACTIVE')]);
    await expect(client(fetch).getServer(SERVER)).resolves.toMatchObject({ id: SERVER, status: 'ACTIVE' });
    expect(calls.all).toEqual([`GET /v2.1/${PROJECT}/servers/${SERVER}`]);
  });

  it('throws a typed error for a 404 and for a 200 without a server object', async () => {
    await expect(client(serverFetch([404]).fetch).getServer(SERVER)).rejects.toMatchObject({ status: 404, kind: 'itemNotFound' });
    const empty = async () => Response.json({ servers: [] });
    await expect(client(empty).getServer(SERVER)).rejects.toMatchObject({ status: 200, kind: 'http' });
    const html = async () => new Response('<html>', { status: 200, headers: { 'Content-Type': 'text/html' } });
    await expect(client(html).getServer(SERVER)).rejects.toBeInstanceOf(EcsApiError);
  });

  it('refuses a bad server id before any request', async () => {
    const { fetch, calls } = serverFetch([server('ACTIVE')]);
    await expect(client(fetch).getServer('..')).rejects.toBeInstanceOf(EcsInputError);
    expect(calls.all).toEqual([]);
  });
});

describe('stopServer({ wait })', () => {
  it('polls until SHUTOFF and reports each read', async () => {
    const { fetch, calls } = serverFetch([server('ACTIVE'), server('ACTIVE', 'powering-off'), server('SHUTOFF')]);
    const seen: StopProgress[] = [];
    const result = await client(fetch).stopServer(SERVER, { wait: { ...fast, onProgress: (p) => seen.push(p) } });
    expect(result).toMatchObject({ status: 202, alreadyStopped: false, server: { status: 'SHUTOFF' } });
    expect(seen.map((p) => [p.status, p.taskState])).toEqual([
      ['ACTIVE', null],
      ['ACTIVE', 'powering-off'],
      ['SHUTOFF', null],
    ]);
    expect(calls.reads).toHaveLength(3);
  });

  it('fails with EcsWaitError when the server goes to ERROR', async () => {
    const { fetch } = serverFetch([server('ACTIVE', 'powering-off'), server('ERROR')]);
    const error = await client(fetch).stopServer(SERVER, { wait: fast }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcsWaitError);
    expect(error).toMatchObject({ reason: 'error-state', serverId: SERVER, server: { status: 'ERROR' } });
  });

  it('fails with EcsWaitError when the server disappears (404)', async () => {
    const { fetch } = serverFetch([server('ACTIVE', 'powering-off'), 404]);
    const error = await client(fetch).stopServer(SERVER, { wait: fast }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'not-found' });
    expect((error as Error).cause).toBeInstanceOf(EcsApiError);
  });

  it('fails with EcsWaitError on timeout, after reads spaced by a capped backoff', async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const started = Date.now();
    const readAt: number[] = [];
    const { fetch, calls } = serverFetch([server('ACTIVE', 'powering-off')]);
    const timed = (request: Request) => (request.method === 'GET' && readAt.push(Date.now() - started), fetch(request));
    const outcome = rejection(client(timed).stopServer(SERVER, { wait: { timeoutMs: 300, intervalMs: 20, maxIntervalMs: 40 } }));
    await expectSettlesAt(outcome, 300);
    const error = await outcome;
    expect(error).toBeInstanceOf(EcsWaitError);
    expect(error).toMatchObject({ reason: 'timeout' });
    // Paused 20, 30, 40, 40, ... ms (half as long again each time, capped at maxIntervalMs): not a
    // busy loop, and the deadline cut the last pause short.
    expect(readAt).toEqual([0, 20, 50, 90, 130, 170, 210, 250, 290]);
    expect(calls.reads).toHaveLength(readAt.length);
  });

  it('stops waiting at once when the caller aborts', async () => {
    vi.useFakeTimers(FAKE_CLOCK);
    const { fetch, calls } = serverFetch([server('ACTIVE', 'powering-off')]);
    const firstRead = deferred();
    const controller = new AbortController();
    const outcome = rejection(
      client(fetch).stopServer(SERVER, { signal: controller.signal, wait: { intervalMs: 10_000, onProgress: () => firstRead.resolve() } }),
    );
    await firstRead.promise;
    // Halfway through the 10 s pause after the first read.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await settled(outcome)).toBe(false);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    // At once: without the clock moving.
    expect(await settled(outcome)).toBe(true);
    expect(await outcome).toBe(reason);
    expect(calls.reads).toHaveLength(1);
  });

  it('does not wait when the stop itself fails', async () => {
    const { fetch, calls } = serverFetch([server('SHUTOFF')], 404, { itemNotFound: { code: 404, message: 'gone' } });
    await expect(client(fetch).stopServer(SERVER, { wait: fast })).rejects.toMatchObject({ status: 404 });
    expect(calls.reads).toEqual([]);
  });

  it('refuses bad wait options before any request', async () => {
    const { fetch, calls } = serverFetch([server('SHUTOFF')]);
    await expect(client(fetch).stopServer(SERVER, { wait: { timeoutMs: 0 } })).rejects.toMatchObject({ field: 'wait.timeoutMs' });
    await expect(client(fetch).stopServer(SERVER, { wait: { onProgress: 'x' as never } })).rejects.toMatchObject({ field: 'wait.onProgress' });
    expect(calls.all).toEqual([]);
  });
});

describe('stopServer({ ifAlreadyStopped })', () => {
  const stopped = { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${SERVER} while it is in vm_state stopped` } };
  // The same 409 as releases before Zed worded it.
  const stoppedOldText = { conflictingRequest: { code: 409, message: `Instance ${SERVER} in vm_state stopped. Cannot stop while the instance is in this state.` } };
  const locked = { conflictingRequest: { code: 409, message: `Instance ${SERVER} is locked` } };
  const poweringOff = { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${SERVER} while it is in task_state powering-off` } };
  const wrapped = { error: { code: 'Ecs.1000', message: JSON.stringify(stopped) } };

  it("'ok' turns Nova's already-stopped 409 (old and new texts, or ECS's Ecs.1000 wrapping it) into success", async () => {
    for (const [status, body] of [[409, stopped], [409, stoppedOldText], [400, wrapped]] as const) {
      const { fetch } = serverFetch([server('SHUTOFF')], status, body);
      await expect(client(fetch).stopServer(SERVER, { ifAlreadyStopped: 'ok' })).resolves.toMatchObject({
        status: 409,
        alreadyStopped: true,
      });
    }
  });

  it('still fails on other conflicts, and by default', async () => {
    await expect(client(serverFetch([], 409, locked).fetch).stopServer(SERVER, { ifAlreadyStopped: 'ok' })).rejects.toMatchObject({ status: 409 });
    await expect(client(serverFetch([], 409, poweringOff).fetch).stopServer(SERVER, { ifAlreadyStopped: 'ok' })).rejects.toMatchObject({ status: 409 });
    await expect(client(serverFetch([], 409, stopped).fetch).stopServer(SERVER)).rejects.toMatchObject({ kind: 'conflictingRequest' });
    await expect(client(serverFetch([], 409, stopped).fetch).stopServer(SERVER, { ifAlreadyStopped: 'yes' as never })).rejects.toBeInstanceOf(EcsInputError);
  });
});

describe('waitForShutoff', () => {
  it('returns at once for a server already SHUTOFF', async () => {
    let reads = 0;
    const result = await waitForShutoff(SERVER, async () => (reads++, server('SHUTOFF')), checkWaitOptions(true));
    expect(result.status).toBe('SHUTOFF');
    expect(reads).toBe(1);
  });
});
