/**
 * The transports under stopServer over a real socket on loopback, each run over the real global
 * fetch (undici, the default) and nodeTransport() (node:http):
 * - after a garbage collection mid-request, the attempt's timeout and the caller's abort still
 *   arrive (on Node 20 a Request follows its signal only through a weak reference; node:http has
 *   no such reference, and must keep both all the same);
 * - 3,000 sequential stops keep (next to) nothing in memory once done with: an unread 202 body once
 *   kept the whole exchange alive over the global fetch, about 27 KB per stop.
 * The pure transport tests, on an injected fetch, are in unit/transport.test.ts.
 *
 * No test here bounds the time a call takes: each asserts how the call ended, or how much memory
 * stays in use, and a call that never ends fails on the test's own (generous) timeout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { akskAuth, createEcsClient, type EcsClientOptions, type StopServerResult, tokenAuth } from '../../src/index.js';
import { nodeTransport } from '../../src/node.js';
import { PROJECT, rejection, SERVER, TOKEN } from '../support/fixtures.js';

const HANG_BUDGET = { timeout: 30_000 };
/** A hang guard only: 3,300 stops on loopback take seconds, even on a busy machine. */
const MEMORY_BUDGET = { timeout: 120_000 };
const MiB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Each transport, as the options that pick it (a fresh nodeTransport() for each client). */
const transports: [string, () => Partial<EcsClientOptions>][] = [
  ['the global fetch', () => ({})],
  ['nodeTransport()', () => ({ transport: nodeTransport() })],
];
const auths = [
  ['token', () => tokenAuth(TOKEN)],
  ['AK/SK', () => akskAuth({ ak: 'AKGC', sk: 'SKGC' })],
] as const;

/** A loopback server calling `handler` for each request; closed (with its connections) after the block. */
function loopbackServer(handler: Parameters<typeof createServer>[1]): { endpoint: () => string } {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  return { endpoint: () => endpoint };
}

describe.each(transports)('garbage collection during a request over %s', (_label, transport) => {
  /** Called for each request the server takes (and never answers). */
  let onRequest = () => {};
  const server = loopbackServer(() => onRequest());
  const realClient = (extra: Partial<EcsClientOptions>) =>
    createEcsClient({ endpoint: server.endpoint(), projectId: PROJECT, auth: tokenAuth(TOKEN), retry: false, ...transport(), ...extra });
  /** Resolves once the server has the request (the request is then in flight). */
  const arrival = () => new Promise<void>((resolve) => (onRequest = resolve));

  it('the timeout still fires after a GC', HANG_BUDGET, async () => {
    const arrived = arrival();
    const promise = rejection(realClient({ timeoutMs: 200 }).stopServer(SERVER));
    // On a slow machine the timeout may come first: the outcome is the same, only earlier.
    await Promise.race([arrived, promise]);
    gc();
    expect(await promise).toMatchObject({ name: 'EcsApiError', kind: 'timeout' });
  });

  it.each(auths)("the caller's abort still arrives after a GC (%s)", HANG_BUDGET, async (_label, auth) => {
    const arrived = arrival();
    const controller = new AbortController();
    const promise = rejection(realClient({ auth: auth(), timeoutMs: 600_000 }).stopServer(SERVER, { signal: controller.signal }));
    await arrived;
    gc();
    controller.abort();
    expect(await promise).toBe(controller.signal.reason);
  });
});

/** The heap in use after full collections, with turns between them for FinalizationRegistry callbacks. */
async function heapAfterGc(): Promise<number> {
  for (let round = 0; round < 4; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  gc();
  return process.memoryUsage().heapUsed;
}

// The memory kept is also checked over an injected fetch: its response is raced against the
// attempt's signal, which, with a body left unread, used to keep some 25 KB per stop.
const memoryTransports: [string, () => Partial<EcsClientOptions>][] = [
  ...transports,
  ['an injected fetch', () => ({ fetch: (request: Request) => fetch(request) })],
];

describe.each(memoryTransports)('memory kept by sequential stops over %s', (label, transport) => {
  const WARM_UP = 300;
  const STOPS = 3_000;
  let answered = 0;
  // Nova's answer to os-stop: 202, no body.
  const server = loopbackServer((req, res) => {
    req.resume();
    if (req.method === 'POST' && req.url?.endsWith('/action')) {
      res.writeHead(202, { 'Content-Length': 0, 'X-Openstack-Request-Id': `req-${String(++answered).padStart(8, '0')}` });
    } else {
      res.writeHead(404, { 'Content-Length': 0 });
    }
    res.end();
  });

  it.each(auths)(`%s: ${STOPS} stops keep less than 8 MiB`, MEMORY_BUDGET, async (authLabel, auth) => {
    const client = createEcsClient({ endpoint: server.endpoint(), projectId: PROJECT, auth: auth(), retry: false, ...transport() });
    for (let i = 0; i < WARM_UP; i++) await client.stopServer(SERVER);
    const before = await heapAfterGc();
    const first = answered;
    let last: StopServerResult | undefined;
    for (let i = 0; i < STOPS; i++) last = await client.stopServer(SERVER);
    const after = await heapAfterGc();
    const growth = after - before;
    console.log(
      `memory over ${label}, ${authLabel}: heap grew ${(growth / MiB).toFixed(2)} MiB over ${STOPS} stops ` +
        `(${Math.round(growth / STOPS)} bytes per stop; ${(before / MiB).toFixed(1)} → ${(after / MiB).toFixed(1)} MiB)`,
    );
    // Every stop reached the server and was answered as Nova answers.
    expect(answered - first).toBe(STOPS);
    expect(last).toMatchObject({ status: 202, requestId: `req-${String(answered).padStart(8, '0')}`, alreadyStopped: false });
    expect(growth).toBeLessThan(8 * MiB);
  });
});
