/**
 * What nodeTransport() (huaweicloud-ecs-stop/node) promises beyond the suites it shares with the
 * default transport (faults, secrets, GC, response fuzzing over the wire): sockets kept alive and
 * closed when idle, a reset on a reused socket never turned into a second stop, the host it sends
 * equal to the host it signed (IPv4 and IPv6), and compressed bodies read as fetch reads them.
 * Where fetch promises the same, the test runs over both.
 *
 * No test bounds the time anything takes: each waits for an event, and a hang fails on the test's
 * own (generous) timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { akskAuth, createEcsClient, type EcsClientOptions, signRequest, tokenAuth } from '../../src/index.js';
import { nodeTransport } from '../../src/node.js';
import { fetchTransport } from '../../src/transport/fetch-transport.js';
import type { Transport } from '../../src/transport/transport.js';
import { apiError, PROJECT, SERVER, TOKEN } from '../support/fixtures.js';

const BUDGET = { timeout: 30_000 };

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  socket: Socket;
}

/** A loopback server on `host` answering each request with `answer`; it records requests and connections. */
async function serve(answer: (req: IncomingMessage, res: ServerResponse, index: number) => void, host = '127.0.0.1') {
  const requests: Received[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, headers: req.headers, socket: req.socket });
    req.resume();
    req.on('end', () => answer(req, res, requests.length - 1));
  });
  // The client, not the server, decides when an idle socket closes.
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  servers.push(server);
  return { url, port, requests, sockets };
}
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const accepted = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(202, { 'Content-Length': '0', 'X-Openstack-Request-Id': 'req-6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' });
  res.end();
};

/** A client on `endpoint`, over nodeTransport() unless `extra` gives a transport or says `{}` (the global fetch) for `over`. */
const client = (endpoint: string, extra: Partial<EcsClientOptions> = {}, over: Partial<EcsClientOptions> = { transport: nodeTransport() }) =>
  createEcsClient({ endpoint, projectId: PROJECT, auth: tokenAuth(TOKEN), retry: false, ...over, ...extra });

describe('keep-alive', () => {
  it('sequential calls share one connection', BUDGET, async () => {
    const s = await serve(accepted);
    const ecs = client(s.url);
    for (let i = 0; i < 5; i++) expect((await ecs.stopServer(SERVER)).status).toBe(202);
    expect(s.requests).toHaveLength(5);
    expect(s.sockets).toHaveLength(1);
  });

  it('an idle socket is closed by the client after idleSocketMs, before the server would', BUDGET, async () => {
    const s = await serve(accepted);
    await client(s.url, { transport: nodeTransport({ idleSocketMs: 50 }) }).stopServer(SERVER);
    // The server keeps idle sockets for 60 s: a close now is the client's.
    await new Promise((resolve) => s.sockets[0]!.once('close', resolve));
    expect(s.sockets[0]!.destroyed).toBe(true);
  });

  it('a stop whose reused socket is reset is not sent again: a network error, and one request only', BUDGET, async () => {
    const s = await serve((req, res, index) => {
      if (index === 1) return (req.socket as Socket).resetAndDestroy();
      accepted(req, res);
    });
    const ecs = client(s.url, { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    await ecs.stopServer(SERVER);
    const error = await apiError(ecs.stopServer(SERVER));
    expect(error).toMatchObject({ kind: 'network', code: 'ECONNRESET' });
    // The first stop, and the second once: its reset was not retried, on this socket or another.
    expect(s.requests).toHaveLength(2);
    expect((await ecs.stopServer(SERVER)).status).toBe(202);
  });

  it.each([
    ['idleSocketMs: 0', { idleSocketMs: 0 }],
    ['idleSocketMs: 1.5', { idleSocketMs: 1.5 }],
    ['options: null', null],
  ])('refuses %s, naming it', (_label, options) => {
    expect(() => nodeTransport(options as never)).toThrow(/nodeTransport\(options\): (options|idleSocketMs)/);
  });
});

describe('the host sent is the host signed', () => {
  it.each([
    ['IPv4', '127.0.0.1'],
    ['IPv6', '::1'],
  ])('%s: Host is the URL host, and the signature checks out over what arrived', BUDGET, async (_label, host) => {
    const s = await serve(accepted, host);
    const date = new Date('2026-12-02T10:00:00Z');
    const credentials = { ak: 'HOSTCHECKAK', sk: 'HOST-CHECK-SK-1234' };
    await client(s.url, { auth: akskAuth(credentials, { now: () => date }) }).stopServer(SERVER, { type: 'SOFT' });
    const received = s.requests[0]!;
    expect(received.headers.host).toBe(new URL(s.url).host);
    // Signed again from what the server received: the same signature, so Host was signed as sent.
    const sent = new Request(`${s.url}${received.url}`, {
      method: received.method,
      headers: { 'content-type': received.headers['content-type']!, 'x-project-id': received.headers['x-project-id'] as string },
      body: '{"os-stop":{"type":"SOFT"}}',
    });
    const resigned = await signRequest(sent, credentials, date);
    expect(received.headers.authorization).toBe(resigned.headers.get('authorization'));
    expect(received.headers.authorization).toContain('SignedHeaders=content-type;host;x-project-id;x-sdk-date');
  });
});

describe('compressed bodies, as fetch reads them', () => {
  const fault = JSON.stringify({ conflictingRequest: { code: 409, message: "Cannot 'stop' instance while it is in vm_state stopped" } });
  const encodings: [string, (body: Buffer) => Buffer][] = [
    ['gzip', (body) => gzipSync(body)],
    ['deflate', (body) => deflateSync(body)],
    ['br', (body) => brotliCompressSync(body)],
  ];
  const transports: [string, () => Partial<EcsClientOptions>][] = [
    ['the global fetch', () => ({})],
    ['nodeTransport()', () => ({ transport: nodeTransport() })],
  ];

  it.each(transports.flatMap(([label, options]) => encodings.map(([coding, encode]) => [coding, label, options, encode] as const)))(
    'a %s error body over %s: decoded, its message read',
    BUDGET,
    async (coding, _label, options, encode) => {
      const s = await serve((_req, res) => {
        const body = encode(Buffer.from(fault));
        res.writeHead(409, { 'Content-Type': 'application/json', 'Content-Encoding': coding, 'Content-Length': body.byteLength });
        res.end(body);
      }, '127.0.0.1');
      const error = await apiError(client(s.url, {}, options()).stopServer(SERVER));
      expect(error).toMatchObject({ status: 409, kind: 'conflictingRequest', message: "Cannot 'stop' instance while it is in vm_state stopped" });
    },
  );

  it.each(transports)('a gzip bomb (20 MB of JSON in ~20 KB) over %s: read up to the bound, a typed error', BUDGET, async (_label, options) => {
    const huge = Buffer.from(`{"computeFault": {"code": 500, "message": "${'m'.repeat(20 * 1024 * 1024)}"}}`);
    const bomb = gzipSync(huge);
    const s = await serve((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': bomb.byteLength });
      res.end(bomb);
    });
    const rssBefore = process.memoryUsage().rss;
    const error = await apiError(client(s.url, {}, options()).stopServer(SERVER));
    // Cut at 1 MiB, the JSON does not parse: the status is all there is to say.
    expect(error).toMatchObject({ status: 500, kind: 'http', message: 'HTTP 500 Internal Server Error' });
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('nodeTransport asks for the codings fetch asks for, unless the request names its own', BUDGET, async () => {
    const s = await serve(accepted);
    await client(s.url).stopServer(SERVER);
    expect(s.requests[0]!.headers['accept-encoding']).toBe('gzip, deflate');
  });
});

describe('a body that cannot be decoded', () => {
  it.each([
    ['the global fetch', () => ({})],
    ['nodeTransport()', () => ({ transport: nodeTransport() })],
  ])('a 500 declaring gzip with bytes that are not gzip, over %s: a network error', BUDGET, async (_label, options) => {
    const s = await serve((_req, res) => {
      const garbage = Buffer.from('this is not gzip at all, not even close');
      res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': garbage.byteLength });
      res.end(garbage);
    });
    const error = await apiError(client(s.url, {}, options()).stopServer(SERVER));
    expect(error).toMatchObject({ kind: 'network', status: undefined });
  });

  it('still arriving (the rest never comes), over nodeTransport(): a network error at once, the connection closed before the attempt times out', BUDGET, async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': 100_000 });
      res.write(Buffer.from('this is not gzip at all, not even close'));
    });
    const error = await apiError(client(s.url, { timeoutMs: 600_000 }).stopServer(SERVER));
    expect(error).toMatchObject({ kind: 'network', status: undefined });
    // Not left open until the (10-minute) attempt timeout: the client closes it.
    await new Promise((resolve) => (s.sockets[0]!.destroyed ? resolve(undefined) : s.sockets[0]!.once('close', resolve)));
  });
});

describe('the Transport contract, each transport called on its own', () => {
  const transports: [string, () => Transport][] = [
    ['fetchTransport()', () => fetchTransport()],
    ['nodeTransport()', () => nodeTransport()],
  ];
  /** One attempt's options: a signal that never aborts, a small bound, `finished` counted. */
  const attempt = (maxResponseBytes = 1024) => {
    const state = { finished: 0 };
    return { state, attempt: { signal: new AbortController().signal, maxResponseBytes, finished: () => void state.finished++ } };
  };
  const get = (url: string, headers: Record<string, string> = {}) => ({ method: 'GET', url, headers, body: null });
  const body = (text: string, headers: Record<string, string | number> = {}) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  it.each(transports)('%s: text() reads the body once, cut at maxResponseBytes; a second read is refused', BUDGET, async (_label, make) => {
    const s = await serve(body('x'.repeat(5000)));
    const { state, attempt: options } = attempt(1024);
    const response = await make()(get(`${s.url}/big`), options);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('x'.repeat(1024));
    expect(() => response.stream()).toThrow(/already used/);
    await expect(response.text()).rejects.toThrow(/already used/);
    response.discard(); // nothing left to do: no error
    expect(state.finished).toBeGreaterThanOrEqual(1);
  });

  it.each(transports)('%s: stream() gives the body, cut at maxResponseBytes', BUDGET, async (_label, make) => {
    const s = await serve(body('y'.repeat(5000)));
    const response = await make()(get(`${s.url}/big`), attempt(2048).attempt);
    const text = await new Response(response.stream()).text();
    expect(text).toBe('y'.repeat(2048));
  });

  it.each(transports)('%s: a body in an unknown coding is given as sent', BUDGET, async (_label, make) => {
    const s = await serve(body('raw bytes', { 'Content-Encoding': 'zstd-ish' }));
    const response = await make()(get(`${s.url}/x`), attempt().attempt);
    expect(await response.text()).toBe('raw bytes');
  });

  it.each(transports)('%s: a header value with a line break is refused (a TypeError), nothing sent', BUDGET, async (label, make) => {
    const s = await serve(accepted);
    const error = await make()(get(`${s.url}/x`, { 'x-bad': 'a\r\nInjected: 1' }), attempt().attempt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    // fetch's Headers quotes the value (the client checks every value it sends before, for that);
    // node:http names the header only.
    if (label === 'nodeTransport()') expect(JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).cause)).not.toContain('Injected');
    expect(s.requests).toHaveLength(0);
  });

  it('nodeTransport: a URL that is not http(s) is refused as fetch refuses it', async () => {
    const error = await nodeTransport()(get('ftp://127.0.0.1/x'), attempt().attempt).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('nodeTransport: openapi-fetch operations (list, raw) read their bodies through stream()', BUDGET, async () => {
    const s = await serve(body(JSON.stringify({ servers: [{ id: SERVER, name: 'web-01', links: [] }] })));
    const ecs = client(s.url);
    expect(await ecs.listServers({ name: 'web' })).toEqual([{ id: SERVER, name: 'web-01', links: [] }]);
    const { data, response } = await ecs.raw.GET('/v2.1/{project_id}/servers', { params: { path: { project_id: PROJECT } } });
    expect(response.status).toBe(200);
    expect(data).toEqual({ servers: [{ id: SERVER, name: 'web-01', links: [] }] });
  });
});
