/**
 * The transport under stopServer through the real global fetch (undici) and a real socket on
 * loopback: after a garbage collection mid-request, the attempt's timeout and the caller's abort
 * still arrive (on Node 20 a Request follows its signal only through a weak reference). The pure
 * transport tests, on an injected fetch, are in unit/transport.test.ts.
 *
 * No test here bounds the time a call takes: each asserts how the call ended, and a call that
 * never ends fails on the test's own (generous) timeout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { akskAuth, createEcsClient, type EcsClientOptions, tokenAuth } from '../../src/index.js';
import { PROJECT, rejection, SERVER, TOKEN } from '../support/fixtures.js';

const HANG_BUDGET = { timeout: 30_000 };

describe('garbage collection during a request through the real global fetch', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let server: Server;
  let endpoint: string;
  /** Called for each request the server takes (and never answers). */
  let onRequest = () => {};
  beforeAll(async () => {
    server = createServer(() => onRequest());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const realClient = (extra: Partial<EcsClientOptions>) =>
    createEcsClient({ endpoint, projectId: PROJECT, auth: tokenAuth(TOKEN), retry: false, ...extra });
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

  it.each([
    ['token', () => tokenAuth(TOKEN)],
    ['AK/SK', () => akskAuth({ ak: 'AKGC', sk: 'SKGC' })],
  ])("the caller's abort still arrives after a GC (%s)", HANG_BUDGET, async (_label, auth) => {
    const arrived = arrival();
    const controller = new AbortController();
    const promise = rejection(realClient({ auth: auth(), timeoutMs: 600_000 }).stopServer(SERVER, { signal: controller.signal }));
    await arrived;
    gc();
    controller.abort();
    expect(await promise).toBe(controller.signal.reason);
  });
});
