/**
 * How failures reach the caller: each error shape of the spec becomes a typed EcsApiError with the
 * server's own message, code, request ID and Retry-After; non-JSON and empty bodies, network
 * failures and timeouts are typed too. (Each named error example of the spec is mapped through
 * the client against the mock in contract/client.test.ts; no secret in any error: secrets.test.ts.)
 */
import { describe, expect, it, vi } from 'vitest';
import { redactedCopy } from '../../src/errors/cause.js';
import { parseErrorBody } from '../../src/errors/error-body.js';
import { Redactor } from '../../src/errors/redaction.js';
import { retryAfterSeconds } from '../../src/http.js';
import { apiError, ENDPOINT, fakeFetch, json, makeClient, PROJECT, SERVER, silentFetch } from '../support/fixtures.js';

describe('the four error shapes', () => {
  it("Ecs.1000 wrapping a Nova fault reports the inner Nova message", async () => {
    const inner = { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${SERVER} while it is in vm_state stopped` } };
    const f = fakeFetch(() => json(400, { error: { code: 'Ecs.1000', message: JSON.stringify(inner) } }));
    const error = await apiError(makeClient(f.fetch).stopServer(SERVER));
    expect(error).toMatchObject({ status: 400, kind: 'ecs', code: 'Ecs.1000' });
    expect(error.message).toBe(`Cannot 'stop' instance ${SERVER} while it is in vm_state stopped`);
  });

  it("keystonemiddleware's 401 is kind 'identity' with its message, whatever the reason phrase", async () => {
    const body = { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } };
    const f = fakeFetch(() => json(401, body, { 'WWW-Authenticate': 'Keystone uri="http://127.0.0.1:5000/v3"' }));
    const error = await apiError(makeClient(f.fetch).stopServer(SERVER));
    expect(error).toMatchObject({ status: 401, kind: 'identity', code: undefined, message: body.error.message });
  });

  it("an identity-shaped body whose code is not an integer is not taken for one", async () => {
    const error = await apiError(makeClient(fakeFetch(() => json(401, { error: { code: 4.01, message: 'x' } })).fetch).stopServer(SERVER));
    expect(error.kind).toBe('http');
  });

  it('an ECS message that merely starts with "{" (not JSON) is kept as it is', async () => {
    const f = fakeFetch(() => json(400, { error: { code: 'Ecs.1000', message: '{broken nova fault' } }));
    const error = await apiError(makeClient(f.fetch).stopServer(SERVER));
    expect(error).toMatchObject({ status: 400, kind: 'ecs', code: 'Ecs.1000', message: '{broken nova fault' });
  });

  it('the request ID: X-OpenStack-Request-Id, else X-Compute-Request-Id, else X-Request-Id, else the gateway body\'s request_id', async () => {
    const body = { itemNotFound: { code: 404, message: 'gone' } };
    const requestIdOf = async (answer: Response) => (await apiError(makeClient(fakeFetch(() => answer).fetch).stopServer(SERVER))).requestId;
    const all = { 'X-OpenStack-Request-Id': 'req-o', 'X-Compute-Request-Id': 'req-c', 'X-Request-Id': 'r' };
    expect(await requestIdOf(json(404, body, all))).toBe('req-o');
    expect(await requestIdOf(json(404, body, { 'X-Compute-Request-Id': 'req-c', 'X-Request-Id': 'r' }))).toBe('req-c');
    expect(await requestIdOf(json(404, body, { 'X-Request-Id': 'abc123' }))).toBe('abc123');
    const gateway = { error_code: 'APIGW.0101', error_msg: 'The API does not exist', request_id: '0f4e6fc6a1a9e0c0b1f2b3a4d5e6f708' };
    expect(await requestIdOf(json(404, gateway))).toBe('0f4e6fc6a1a9e0c0b1f2b3a4d5e6f708');
    expect(await requestIdOf(json(404, gateway, { 'X-Request-Id': 'abc123' }))).toBe('abc123');
  });
});

describe('retryAfter', () => {
  const overLimit = { overLimit: { code: 429, message: 'This request was rate-limited.', retryAfter: '30' } };
  const gatewayThrottled = { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached' };

  it('comes from a Retry-After header in seconds', async () => {
    const error = await apiError(makeClient(fakeFetch(() => json(429, gatewayThrottled, { 'Retry-After': '17' })).fetch).stopServer(SERVER));
    expect(error).toMatchObject({ status: 429, kind: 'gateway', code: 'APIGW.0308', retryAfter: 17 });
  });

  it('comes from a Retry-After header given as an HTTP date', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 2, 8, 0, 0) });
    try {
      const date = new Date(Date.now() + 120_000).toUTCString();
      const error = await apiError(makeClient(fakeFetch(() => json(503, { serviceUnavailable: { code: 503, message: 'later' } }, { 'Retry-After': date })).fetch).stopServer(SERVER));
      expect(error.kind).toBe('serviceUnavailable');
      expect(error.retryAfter).toBe(120);
    } finally {
      vi.useRealTimers();
    }
  });

  it("comes from Nova overLimit's retryAfter when there is no header", async () => {
    const error = await apiError(makeClient(fakeFetch(() => json(429, overLimit)).fetch).stopServer(SERVER));
    expect(error).toMatchObject({ status: 429, kind: 'overLimit', message: 'This request was rate-limited.', retryAfter: 30 });
  });

  it('is undefined when the server gives none', async () => {
    const error = await apiError(makeClient(fakeFetch(() => json(429, gatewayThrottled)).fetch).stopServer(SERVER));
    expect(error.retryAfter).toBeUndefined();
  });
});

describe('bodies that are not an error shape', () => {
  it("an empty-bodied 503 → kind 'http', status 503, message 'HTTP 503 ...'", async () => {
    for (const response of [
      () => new Response(null, { status: 503, statusText: 'Service Unavailable' }),
      () => new Response('', { status: 503, headers: { 'Content-Length': '0' } }),
      () => new Response(null, { status: 503 }),
    ]) {
      const error = await apiError(makeClient(fakeFetch(response).fetch).stopServer(SERVER));
      expect(error).toMatchObject({ status: 503, kind: 'http', code: undefined });
      expect(error.message).toMatch(/^HTTP 503\b/);
    }
  });

  it("a 500 with an HTML body → kind 'http', status 500, message 'HTTP 500 ...'", async () => {
    const html = '<html><body><h1>500 Internal Server Error</h1></body></html>';
    const error = await apiError(
      makeClient(fakeFetch(() => new Response(html, { status: 500, statusText: 'Internal Server Error', headers: { 'Content-Type': 'text/html' } })).fetch).stopServer(SERVER),
    );
    expect(error).toMatchObject({ status: 500, kind: 'http', code: undefined });
    expect(error.message).toBe('HTTP 500 Internal Server Error');
  });

  it.each([
    ['plain text', 'Bad Gateway'],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null'],
    ['an unknown JSON object', '{"message":"nope"}'],
    ['a fault with two keys', '{"itemNotFound":{"code":404,"message":"a"},"badRequest":{"code":400,"message":"b"}}'],
  ])("%s → kind 'http'", async (_label, body) => {
    const error = await apiError(makeClient(fakeFetch(() => new Response(body, { status: 502 })).fetch).stopServer(SERVER));
    expect(error).toMatchObject({ status: 502, kind: 'http', code: undefined });
    expect(error.message).toMatch(/^HTTP 502\b/);
  });
});

describe('failures without a response', () => {
  it("a refused connection → kind 'network', code ECONNREFUSED, cause a copy of the runtime's error chain", async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const thrown = new TypeError('fetch failed', { cause });
    const f = fakeFetch(() => {
      throw thrown;
    });
    const error = await apiError(makeClient(f.fetch).stopServer(SERVER));
    expect(error).toMatchObject({ status: undefined, kind: 'network', code: 'ECONNREFUSED', requestId: undefined });
    // A copy, so that what the runtime quoted can be redacted; its names, texts and codes are kept.
    expect(error.cause).toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { name: 'Error', message: cause.message, code: 'ECONNREFUSED' } });
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.request).toEqual({ method: 'POST', url: `${ENDPOINT}/v2.1/${PROJECT}/servers/${SERVER}/action` });
    expect(f.requests).toHaveLength(1);
  });

  it("a timeout → kind 'timeout', no status", async () => {
    const error = await apiError(makeClient(fakeFetch(silentFetch).fetch, { timeoutMs: 30 }).stopServer(SERVER));
    expect(error).toMatchObject({ status: undefined, kind: 'timeout' });
    expect(error.cause).toBeDefined();
  });
});

describe('the cause chain, copied with the secrets cut out', () => {
  const redact = (text: string) => text.split('s3cret-token').join('[redacted]');

  it('copies names, messages, codes and stacks along the chain, at most five deep', () => {
    const inner = Object.assign(new Error('socket closed, token s3cret-token'), { code: 'UND_ERR_SOCKET' });
    const copy = redactedCopy(new TypeError('fetch failed', { cause: inner }), redact) as Error & { cause: Error & { code: string } };
    expect(copy).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(copy.cause).toMatchObject({ name: 'Error', message: 'socket closed, token [redacted]', code: 'UND_ERR_SOCKET' });
    expect(copy.cause.stack).toContain('socket closed, token [redacted]');
    expect(copy.cause.stack).not.toContain('s3cret-token');
    const loop: { message: string; cause?: unknown } = { message: 'a loop' };
    loop.cause = loop;
    let depth = 0;
    for (let link = redactedCopy(loop, redact) as { cause?: unknown } | undefined; link; link = link.cause as never) depth++;
    expect(depth).toBe(5);
  });

  it('takes what is thrown as it comes: a string, an object without message or name, a number', () => {
    expect(redactedCopy('refused: s3cret-token', redact)).toBe('refused: [redacted]');
    expect(redactedCopy({ code: 'ECONNRESET' }, redact)).toMatchObject({ name: 'Error', message: '', code: 'ECONNRESET', stack: 'Error: ' });
    expect(redactedCopy(42, redact)).toBe(42);
  });
});

describe('odd bodies and headers', () => {
  it('a Nova fault whose value is not an object is no Nova fault', () => {
    expect(parseErrorBody({ itemNotFound: 'gone' })).toEqual({ kind: 'http' });
  });

  it('a Retry-After shaped like an HTTP date that is no date is no Retry-After', () => {
    expect(retryAfterSeconds('Mon, 99 Jan 2026 00:00:00 GMT')).toBeUndefined();
    expect(retryAfterSeconds('Mon, 05 Jan 2026 00:00:10 GMT', Date.UTC(2026, 0, 5))).toBe(10);
  });

  it('an Authorization header without a signature is registered whole', () => {
    const redactor = new Redactor();
    redactor.addFromRequest(new Request('https://h', { headers: { Authorization: 'Bearer opaque-credential' } }));
    expect(redactor.apply('echo: Bearer opaque-credential')).toBe('echo: [redacted]');
  });
});

