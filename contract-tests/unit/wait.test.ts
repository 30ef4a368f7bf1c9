import { describe, expect, it } from 'vitest';
import { createEcsClient, EcsApiError, EcsInputError, EcsWaitError, tokenAuth, type Server, type StopProgress } from '../../src/index.js';
import { checkWaitOptions, waitForShutoff } from '../../src/nova/server-wait.js';

const PROJECT = '77b6a44cba5143ab91d13ab9a8ff44fd';
const SERVER = '4d8c3732-a248-40ed-bebc-539a6ffd25c0';

const server = (status: Server['status'], taskState: string | null = null): Server => ({
  id: SERVER,
  status,
  'OS-EXT-STS:task_state': taskState,
  'OS-EXT-STS:vm_state': status === 'SHUTOFF' ? 'stopped' : status === 'ERROR' ? 'error' : 'active',
  links: [],
});

/** A fetch that answers the stop with 202 (or `stopStatus`) and each read with the next of `reads`. */
function serverFetch(reads: (Server | number)[], stopStatus = 202, stopBody?: unknown) {
  const calls: string[] = [];
  const fetch = async (request: Request) => {
    calls.push(`${request.method} ${new URL(request.url).pathname}`);
    if (request.method === 'POST') {
      return new Response(stopBody === undefined ? null : JSON.stringify(stopBody), { status: stopStatus });
    }
    const next = reads.length > 1 ? reads.shift()! : reads[0]!;
    if (typeof next === 'number') {
      return Response.json({ itemNotFound: { code: next, message: `Instance ${SERVER} could not be found.` } }, { status: next });
    }
    return Response.json({ server: next });
  };
  return { fetch, calls };
}

const client = (fetch: (request: Request) => Promise<Response>) =>
  createEcsClient({ endpoint: 'https://ecs.example.com', projectId: PROJECT, auth: tokenAuth('t'), retry: false, fetch });
const fast = { intervalMs: 1, maxIntervalMs: 2 };

describe('getServer', () => {
  it('reads GET /v2.1/{p}/servers/{id} and returns the server object', async () => {
    const { fetch, calls } = serverFetch([server('ACTIVE')]);
    await expect(client(fetch).getServer(SERVER)).resolves.toMatchObject({ id: SERVER, status: 'ACTIVE' });
    expect(calls).toEqual([`GET /v2.1/${PROJECT}/servers/${SERVER}`]);
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
    expect(calls).toEqual([]);
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
    expect(calls.filter((c) => c.startsWith('GET'))).toHaveLength(3);
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
    const { fetch, calls } = serverFetch([server('ACTIVE', 'powering-off')]);
    const started = Date.now();
    const error = await client(fetch)
      .stopServer(SERVER, { wait: { timeoutMs: 300, intervalMs: 20, maxIntervalMs: 40 } })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ reason: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(2_000);
    // 20, 30, 40, 40, ... ms apart: at least 300/40 reads, and not a busy loop.
    const reads = calls.filter((c) => c.startsWith('GET')).length;
    expect(reads).toBeGreaterThanOrEqual(7);
    expect(reads).toBeLessThanOrEqual(16);
  });

  it('stops waiting at once when the caller aborts', async () => {
    const { fetch } = serverFetch([server('ACTIVE', 'powering-off')]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    const started = Date.now();
    await expect(
      client(fetch).stopServer(SERVER, { signal: controller.signal, wait: { intervalMs: 10_000 } }),
    ).rejects.toThrow('caller gave up');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('does not wait when the stop itself fails', async () => {
    const { fetch, calls } = serverFetch([server('SHUTOFF')], 404, { itemNotFound: { code: 404, message: 'gone' } });
    await expect(client(fetch).stopServer(SERVER, { wait: fast })).rejects.toMatchObject({ status: 404 });
    expect(calls.filter((c) => c.startsWith('GET'))).toEqual([]);
  });

  it('refuses bad wait options before any request', async () => {
    const { fetch, calls } = serverFetch([server('SHUTOFF')]);
    await expect(client(fetch).stopServer(SERVER, { wait: { timeoutMs: 0 } })).rejects.toMatchObject({ field: 'wait.timeoutMs' });
    await expect(client(fetch).stopServer(SERVER, { wait: { onProgress: 'x' as never } })).rejects.toMatchObject({ field: 'wait.onProgress' });
    expect(calls).toEqual([]);
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
