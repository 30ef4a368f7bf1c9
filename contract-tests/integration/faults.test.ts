/**
 * Fault injection over real sockets: a misbehaving server on loopback (support/fault-server.ts),
 * run twice, over each transport: the real global fetch (undici, the default) and nodeTransport()
 * (node:http), no injected fetch. Whatever the network or the server does,
 * every call ends with a result or a typed EcsApiError, without an unhandled rejection, without
 * following a redirect elsewhere and without reading an unbounded body.
 *
 * No test here measures time: a call that never ends fails on the test's own timeout (generous,
 * for a busy machine), and how long each call took is only reported. That a timeout or a capped
 * Retry-After takes exactly as long as configured is proved on a fake clock in unit/transport.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { akskAuth, createEcsClient, EcsApiError, type EcsClientOptions, type StopServerResult, tokenAuth } from '../../src/index.js';
import { nodeTransport } from '../../src/node.js';
import type { Transport } from '../../src/index.js';
import { clientHasHeaders, faults, refusedUrl, startFaultServer, type FaultServer } from '../support/fault-server.js';
import { nextTurn, PROJECT, SERVER, TOKEN } from '../support/fixtures.js';

/** For the faults that never answer: tiny, so that they end soon (nothing asserts how soon). */
const TINY_TIMEOUT_MS = 50;
/** For every other fault: so long that it never decides an outcome, even on a busy machine. */
const TIMEOUT_MS = 30_000;
const RETRY = { retries: 2, baseDelayMs: 1, maxDelayMs: 20 };
const MB = 1_000_000;
/** Each test's budget: a hang fails the test; a busy machine never should. */
const BUDGET = { timeout: 60_000 };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
/** One line per fault tried, for the closing report. */
const report: { fault: string; outcome: string; ms: number }[] = [];

let server: FaultServer | undefined;
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  const survived = report.filter((row) => !row.outcome.startsWith('UNTYPED')).length;
  console.log(`faults: ${report.length} tried, ${survived} survived (result or typed EcsApiError)`);
  for (const row of report) console.log(`  ${row.fault.padEnd(72)} → ${row.outcome} in ${row.ms} ms`);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
  // Each test leaves no unhandled rejection behind (checked per test, so that each runs alone).
  await nextTurn();
  expect(unhandled.splice(0)).toEqual([]);
});

async function freshServer(): Promise<FaultServer> {
  server = await startFaultServer();
  return server;
}

/** The transport under test: its client options, and how a test learns that the client has a response's headers. */
interface UnderTest {
  options: () => Partial<EcsClientOptions>;
  hasHeaders: () => Promise<void>;
}
let headersSeen: (() => void) | undefined;
/** `transport`, telling `hasHeaders` of each response it hands over. */
const observed = (transport: Transport): Transport => async (request, attempt) => {
  const response = await transport(request, attempt);
  headersSeen?.();
  return response;
};
const transports: [string, UnderTest][] = [
  ['the global fetch', { options: () => ({}), hasHeaders: () => clientHasHeaders() }],
  ['nodeTransport()', { options: () => ({ transport: observed(nodeTransport()) }), hasHeaders: () => new Promise((resolve) => (headersSeen = resolve)) }],
];
let current: UnderTest = transports[0]![1];

function client(endpoint: string, extra: Partial<EcsClientOptions> = {}) {
  return createEcsClient({ endpoint, projectId: PROJECT, auth: tokenAuth(TOKEN), timeoutMs: TIMEOUT_MS, retry: RETRY, ...current.options(), ...extra });
}

/**
 * Resolves once the global fetch has response headers in hand, for a fault that must wait for
 * them (a reset mid-body). The transport still calls the real global fetch, looked up at each call.
 */
type Outcome = { ok: true; value: StopServerResult; ms: number } | { ok: false; error: EcsApiError; ms: number };

/**
 * Runs one call and classifies how it ended: when it fails, with an EcsApiError (else the test
 * fails as untyped). A call that never ends fails on the test's timeout. `ms` is only reported.
 */
async function settle(name: string, call: () => Promise<StopServerResult>): Promise<Outcome> {
  const fault = `${name} (${transports.find(([, each]) => each === current)![0]})`;
  const started = performance.now();
  const result = await call().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const ms = Math.round(performance.now() - started);
  if ('value' in result) {
    report.push({ fault, outcome: `resolved ${result.value.status}`, ms });
    return { ok: true, value: result.value, ms };
  }
  if (!(result.error instanceof EcsApiError)) {
    report.push({ fault, outcome: `UNTYPED ${String(result.error)}`, ms });
    throw new Error(`${fault}: rejected with something other than EcsApiError: ${String(result.error)}`);
  }
  const e = result.error;
  report.push({ fault, outcome: `EcsApiError ${e.kind}${e.status === undefined ? '' : ` ${e.status}`}${e.code ? ` ${e.code}` : ''}`, ms });
  return { ok: false, error: e, ms };
}

function failed(outcome: Outcome): EcsApiError {
  if (outcome.ok) throw new Error(`expected an EcsApiError, got a result with status ${outcome.value.status}`);
  return outcome.error;
}

describe.each(transports)('over %s', (_label, under) => {
  beforeAll(() => {
    current = under;
    headersSeen = undefined;
  });

  describe('no connection', () => {
    it('connection refused: retried, then a network error with ECONNREFUSED', BUDGET, async () => {
      const url = await refusedUrl();
      const error = failed(await settle('connection refused', () => client(url).stopServer(SERVER)));
      expect(error).toMatchObject({ kind: 'network', status: undefined, code: 'ECONNREFUSED' });
    });

    it('reset (RST) after the request was read, before any answer: a network error, not retried', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.resetBeforeResponse());
      const error = failed(await settle('reset before response', () => client(s.url).stopServer(SERVER)));
      expect(error).toMatchObject({ kind: 'network', status: undefined });
      // The POST may have been acted on: never sent twice.
      expect(s.requests).toHaveLength(1);
    });

    it('bytes that are not HTTP: a network error', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.rawBytes('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
      const error = failed(await settle('reply is not HTTP', () => client(s.url).stopServer(SERVER)));
      expect(error).toMatchObject({ kind: 'network', status: undefined });
      expect(s.requests).toHaveLength(1);
    });

    it('a 64 KB response header: a network error (the HTTP parser refuses it), no crash', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.rawBytes(`HTTP/1.1 202 Accepted\r\nX-Huge: ${'h'.repeat(64 * 1024)}\r\nContent-Length: 0\r\n\r\n`));
      const error = failed(await settle('64 KB response header', () => client(s.url).stopServer(SERVER)));
      expect(error).toMatchObject({ kind: 'network', status: undefined });
    });
  });

  describe('silence', () => {
    it('no answer at all: kind timeout after timeoutMs, not retried', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.silence());
      const outcome = await settle('request read, never answered', () => client(s.url, { timeoutMs: TINY_TIMEOUT_MS }).stopServer(SERVER));
      expect(failed(outcome)).toMatchObject({ kind: 'timeout', status: undefined });
      // Not retried. (On a slow machine the timeout may even beat the request to the server; that
      // a timeout is never retried is proved on a fake clock in unit/transport.test.ts.)
      expect(s.requests.length).toBeLessThanOrEqual(1);
    });

    it('500 headers, then silence in the body: kind timeout after timeoutMs', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.headersThenSilence(500, '{"computeFault": '));
      const outcome = await settle('500 headers then silence', () => client(s.url, { timeoutMs: TINY_TIMEOUT_MS }).stopServer(SERVER));
      expect(failed(outcome)).toMatchObject({ kind: 'timeout', status: undefined });
    });

    it('202 headers, then silence: resolves (the body is not waited for: that would end in a timeout)', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.headersThenSilence(202));
      const outcome = await settle('202 headers then silence', () => client(s.url).stopServer(SERVER));
      expect(outcome).toMatchObject({ ok: true, value: { status: 202 } });
    });
  });

  describe('broken bodies', () => {
    it('500 reset mid-body (RST): a network error', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.resetMidResponse(500, { after: under.hasHeaders() }));
      const error = failed(await settle('500 reset mid-response', () => client(s.url).stopServer(SERVER)));
      expect(error).toMatchObject({ kind: 'network', status: undefined });
      expect(s.requests).toHaveLength(1);
    });

    it('202 reset mid-body (RST): resolves 202 (the stop was accepted)', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.resetMidResponse(202, { after: under.hasHeaders() }));
      const outcome = await settle('202 reset mid-response', () => client(s.url).stopServer(SERVER));
      expect(outcome).toMatchObject({ ok: true, value: { status: 202 } });
    });

    it('500 whose connection ends before Content-Length is reached: a network error', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.prematureEnd(500));
      const error = failed(await settle('500 premature end (FIN)', () => client(s.url).stopServer(SERVER)));
      expect(error).toMatchObject({ kind: 'network', status: undefined });
    });

    it('500 with truncated JSON (a complete message): kind http, status 500', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.status(500, '{"computeFault": {"code": 500, "message": "Unexpected API Er', { 'Content-Type': 'application/json' }));
      const error = failed(await settle('500 truncated JSON', () => client(s.url).stopServer(SERVER)));
      expect(error).toMatchObject({ kind: 'http', status: 500 });
      expect(error.message).toBe('HTTP 500 Internal Server Error');
    });

    it.each([500, 502, 504])('%i with an HTML body: kind http, the message is not the HTML', BUDGET, async (status) => {
      const s = await freshServer();
      const html = '<html><head><title>Bad Gateway</title></head><body><h1>nginx</h1><script>alert(1)</script></body></html>';
      s.queue(faults.status(status, html, { 'Content-Type': 'text/html' }));
      const error = failed(await settle(`${status} with an HTML body`, () => client(s.url).stopServer(SERVER)));
      expect(error).toMatchObject({ kind: 'http', status });
      expect(error.message).toMatch(new RegExp(`^HTTP ${status}\\b`));
      expect(error.message).not.toContain('<');
    });

    it.each([
      ['JSON', '{"server": {"id": "x", "status": "ACTIVE"}}', 'application/json'],
      ['HTML', '<html>accepted</html>', 'text/html'],
      ['1 MB of garbage', 'x'.repeat(MB), 'application/octet-stream'],
    ])('202 with an unexpected %s body: resolves 202', BUDGET, async (label, body, type) => {
      const s = await freshServer();
      s.queue(faults.status(202, body, { 'Content-Type': type, 'X-OpenStack-Request-Id': 'req-1' }));
      const outcome = await settle(`202 with an unexpected ${label} body`, () => client(s.url).stopServer(SERVER));
      expect(outcome).toMatchObject({ ok: true, value: { status: 202, requestId: 'req-1' } });
    });
  });

  describe('503 and 429', () => {
    it('503 with an empty body every time: retried up to the cap, then kind http 503', BUDGET, async () => {
      const s = await freshServer();
      s.fallback = faults.status(503);
      const error = failed(await settle('503 empty body, always', () => client(s.url).stopServer(SERVER)));
      expect(error).toMatchObject({ kind: 'http', status: 503 });
      expect(error.message).toBe('HTTP 503 Service Unavailable');
      expect(s.requests).toHaveLength(RETRY.retries + 1);
    });

    it('503 with an empty body, then 202: resolves after one retry', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.status(503));
      const outcome = await settle('503 empty body, then 202', () => client(s.url).stopServer(SERVER));
      expect(outcome).toMatchObject({ ok: true, value: { status: 202 } });
      expect(s.requests).toHaveLength(2);
    });

    it('429 with Retry-After twice, then 202: retried (the wait capped by maxDelayMs), then resolves', BUDGET, async () => {
      const s = await freshServer();
      const overLimit = { overLimit: { code: 429, message: 'This request was rate-limited.', retryAfter: '3600' } };
      s.queue(faults.json(429, overLimit, { 'Retry-After': '3600' }), faults.json(429, overLimit, { 'Retry-After': '3600' }));
      // Retry-After: an hour, capped at maxDelayMs (20 ms) each time: uncapped, the test's budget ends first.
      const outcome = await settle('429 Retry-After 3600 ×2, then 202', () => client(s.url).stopServer(SERVER));
      expect(outcome).toMatchObject({ ok: true, value: { status: 202 } });
      expect(s.requests).toHaveLength(3);
    });

    it('429 with Retry-After every time: gives up after the cap with kind overLimit and retryAfter', BUDGET, async () => {
      const s = await freshServer();
      s.fallback = faults.json(429, { overLimit: { code: 429, message: 'This request was rate-limited.' } }, { 'Retry-After': '3600' });
      const outcome = await settle('429 Retry-After 3600, always', () => client(s.url).stopServer(SERVER));
      expect(failed(outcome)).toMatchObject({ kind: 'overLimit', status: 429, retryAfter: 3600 });
      expect(s.requests).toHaveLength(RETRY.retries + 1);
    });
  });

  describe('a 50 MB body', () => {
    const TOTAL = 50 * MB;
    // What the kernel buffers on loopback, plus the client's 1 MiB bound; far below 50 MB.
    const SERVER_SIDE_BOUND = 16 * MB;

    it.each([
      [500, '{"computeFault": {"code": 500, "message": "'],
      [202, ''],
    ])('on a %i: the call ends, the read is bounded and memory stays flat', BUDGET, async (status, first) => {
      const s = await freshServer();
      const fault = faults.stream(status, TOTAL, first);
      s.queue(fault);
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
      const outcome = await settle(`${status} with a 50 MB body`, () => client(s.url).stopServer(SERVER));
      // The server stops once the client has gone (its socket closes).
      await fault.stats.done;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const growth = peak - rssBefore;
      console.log(
        `50 MB on ${status}: ${outcome.ok ? `resolved ${outcome.value.status}` : `EcsApiError ${outcome.error.kind} ${outcome.error.status}`} in ${outcome.ms} ms; ` +
          `server wrote ${(fault.stats.written / MB).toFixed(2)} MB of ${TOTAL / MB} MB before the client stopped reading; ` +
          `RSS growth ${(growth / MB).toFixed(1)} MB`,
      );
      if (status === 202) expect(outcome).toMatchObject({ ok: true, value: { status: 202 } });
      else expect(failed(outcome)).toMatchObject({ kind: 'http', status: 500, message: 'HTTP 500 Internal Server Error' });
      expect(fault.stats.aborted).toBe(true);
      expect(fault.stats.finished).toBe(false);
      expect(fault.stats.written).toBeLessThan(SERVER_SIDE_BOUND);
      expect(growth).toBeLessThan(64 * MB);
    });
  });

  describe('redirects to another host', () => {
    const auths = {
      token: () => tokenAuth(TOKEN),
      aksk: () => akskAuth({ ak: 'FAULTAK0001', sk: 'FAULT-SK-S3CRET-99aa', securityToken: 'FAULT-STS-S3CRET-77bb' }),
    };
    it.each([301, 302, 303, 307, 308].flatMap((status) => (['token', 'aksk'] as const).map((auth) => [status, auth] as const)))(
      '%i to another loopback server (%s auth): not followed, nothing sent there, kind http',
      BUDGET,
      async (status, auth) => {
        const s = await freshServer();
        const elsewhere = await startFaultServer();
        try {
          s.queue(faults.redirect(status, `${elsewhere.url}/steal?from=ecs`));
          const outcome = await settle(`${status} to another host (${auth})`, () => client(s.url, { auth: auths[auth]() }).stopServer(SERVER));
          expect(failed(outcome)).toMatchObject({ kind: 'http', status });
          // The credential went to the endpoint only.
          expect(s.requests).toHaveLength(1);
          const sent = s.requests[0]!.headers;
          expect(auth === 'token' ? sent['x-auth-token'] : sent.authorization).toBeDefined();
          // ...and nothing at all went to the other host (a followed redirect would have been
          // answered before the call ended).
          expect(elsewhere.requests).toEqual([]);
          expect(elsewhere.openSockets()).toBe(0);
        } finally {
          await elsewhere.close();
        }
      },
    );
  });

  describe('waiting for SHUTOFF over a broken server read', () => {
    it('a 200 server read with truncated JSON: a typed EcsApiError, no hang', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.status(202), faults.status(200, '{"server": {"id": "', { 'Content-Type': 'application/json' }));
      const error = failed(
        await settle('wait: 200 server read with truncated JSON', () => client(s.url).stopServer(SERVER, { wait: { intervalMs: 1 } })),
      );
      expect(error).toMatchObject({ kind: 'http', status: 200 });
    });

    it('a server read that never answers: kind timeout', BUDGET, async () => {
      const s = await freshServer();
      s.queue(faults.status(202), faults.silence());
      const error = failed(
        await settle('wait: server read never answered', () => client(s.url, { timeoutMs: TINY_TIMEOUT_MS }).stopServer(SERVER, { wait: true })),
      );
      expect(error).toMatchObject({ kind: 'timeout' });
    });
  });
});
