/**
 * How failures reach the caller: every error example of the spec becomes a typed EcsApiError
 * with the server's own message, code and request ID; non-JSON and empty bodies, network
 * failures and timeouts are typed too; and no error ever carries a credential.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { akskAuth, type EcsAuth, EcsInputError, tokenAuth } from '../../src/index.js';
import { responseExamples, type ResponseExample } from '../support/spec.js';
import { fakeFetch, makeClient, rejection, apiError, json, PROJECT, SERVER, ENDPOINT, type Handler } from '../support/fixtures.js';

const NOVA_FAULTS = new Set([
  'badRequest', 'unauthorized', 'forbidden', 'itemNotFound', 'badMethod', 'conflictingRequest',
  'overLimit', 'badMediaType', 'notImplemented', 'serviceUnavailable', 'computeFault',
]);

/** What a user should see for one of the spec's error bodies (facts.md §3). */
function expected(example: ResponseExample) {
  const value = example.value as Record<string, unknown>;
  const [key] = Object.keys(value);
  if (key !== undefined && NOVA_FAULTS.has(key)) {
    const fault = value[key] as { code: number; message: string; retryAfter?: string };
    return { kind: key, code: undefined, message: fault.message, bodyRequestId: undefined, retryAfter: fault.retryAfter, status: fault.code };
  }
  if ('error' in value && typeof (value.error as { code: unknown }).code === 'number') {
    const error = value.error as { code: number; message: string };
    return { kind: 'identity', code: undefined, message: error.message, bodyRequestId: undefined, retryAfter: undefined, status: error.code };
  }
  if ('error' in value) {
    const error = value.error as { code: string; message: string };
    let message = error.message;
    if (error.code === 'Ecs.1000') {
      const inner = JSON.parse(message) as Record<string, { message: string }>;
      message = Object.values(inner)[0]!.message;
    }
    return { kind: 'ecs', code: error.code, message, bodyRequestId: undefined, retryAfter: undefined, status: undefined };
  }
  const gateway = value as { error_code: string; error_msg: string; request_id?: string };
  return { kind: 'gateway', code: gateway.error_code, message: gateway.error_msg, bodyRequestId: gateway.request_id, retryAfter: undefined, status: undefined };
}

const errorExamples = responseExamples.filter((example) => !/^2/.test(example.status));

describe('every error example in the spec', () => {
  it('the spec has error examples of all four shapes, including Ecs.1000 and overLimit', () => {
    const kinds = new Set(errorExamples.map((example) => expected(example).kind));
    expect(kinds).toContain('identity');
    expect(kinds).toContain('ecs');
    expect(kinds).toContain('gateway');
    expect(kinds).toContain('itemNotFound');
    expect(errorExamples.some((example) => JSON.stringify(example.value).includes('Ecs.1000'))).toBe(true);
    expect(errorExamples.some((example) => 'overLimit' in (example.value as object))).toBe(true);
  });

  it.each(errorExamples.map((example) => [`${example.operationId} ${example.status} ${example.name}`, example] as const))(
    '%s → EcsApiError with the server’s status, kind, code, message and request ID',
    async (_label, example) => {
      const want = expected(example);
      const status = example.status === 'default' ? (want.status ?? 418) : Number(example.status);
      const apiVersion = example.path.startsWith('/v2.1/') ? 'v2.1' : 'v2';

      // Without request-ID headers: the gateway's body request_id is used.
      const bare = fakeFetch(() => json(status, example.value));
      const error = await apiError(makeClient(bare.fetch, { apiVersion }).stopServer(SERVER));
      expect(bare.requests).toHaveLength(1);
      expect(error.status).toBe(status);
      expect(error.kind).toBe(want.kind);
      expect(error.code).toBe(want.code);
      expect(error.message).toBe(want.message);
      expect(error.requestId).toBe(want.bodyRequestId);
      expect(error.retryAfter).toBe(want.retryAfter === undefined ? undefined : Number(want.retryAfter));
      expect(error.name).toBe('EcsApiError');
      expect(error).toBeInstanceOf(Error);

      // With a request-ID header, that is the one reported.
      const withHeader = fakeFetch(() => json(status, example.value, { 'X-OpenStack-Request-Id': 'req-11111111-2222-4333-8444-555555555555' }));
      const error2 = await apiError(makeClient(withHeader.fetch, { apiVersion }).stopServer(SERVER));
      expect(error2.requestId).toBe('req-11111111-2222-4333-8444-555555555555');
      expect(error2.message).toBe(want.message);
    },
  );

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

  it('X-Compute-Request-Id and X-Request-Id are used when X-OpenStack-Request-Id is absent', async () => {
    const body = { itemNotFound: { code: 404, message: 'gone' } };
    const compute = await apiError(makeClient(fakeFetch(() => json(404, body, { 'X-Compute-Request-Id': 'req-c', 'X-Request-Id': 'r' })).fetch).stopServer(SERVER));
    expect(compute.requestId).toBe('req-c');
    const gateway = await apiError(makeClient(fakeFetch(() => json(404, body, { 'X-Request-Id': 'abc123' })).fetch).stopServer(SERVER));
    expect(gateway.requestId).toBe('abc123');
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
    const date = new Date(Date.now() + 120_000).toUTCString();
    const error = await apiError(makeClient(fakeFetch(() => json(503, { serviceUnavailable: { code: 503, message: 'later' } }, { 'Retry-After': date })).fetch).stopServer(SERVER));
    expect(error.kind).toBe('serviceUnavailable');
    expect(error.retryAfter).toBeGreaterThanOrEqual(118);
    expect(error.retryAfter).toBeLessThanOrEqual(120);
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
  it("a refused connection → kind 'network', code ECONNREFUSED, cause set", async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const thrown = new TypeError('fetch failed', { cause });
    const f = fakeFetch(() => {
      throw thrown;
    });
    const error = await apiError(makeClient(f.fetch).stopServer(SERVER));
    expect(error).toMatchObject({ status: undefined, kind: 'network', code: 'ECONNREFUSED', requestId: undefined });
    expect(error.cause).toBe(thrown);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.request).toEqual({ method: 'POST', url: `${ENDPOINT}/v2.1/${PROJECT}/servers/${SERVER}/action` });
    expect(f.requests).toHaveLength(1);
  });

  it("a timeout → kind 'timeout', no status", async () => {
    const f = fakeFetch(
      (request) =>
        new Promise<Response>((_, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
        }),
    );
    const error = await apiError(makeClient(f.fetch, { timeoutMs: 30 }).stopServer(SERVER));
    expect(error).toMatchObject({ status: undefined, kind: 'timeout' });
    expect(error.cause).toBeDefined();
  });
});

describe('secrets never appear in errors', () => {
  const TOKEN = 'TOKEN-S3CRET-a1b2c3d4e5f6';
  const AK = 'AKIDPUBLICISH0001';
  const SK = 'SK-S3CRET-f6e5d4c3b2a1';
  const STS = 'STS-S3CRET-0a9b8c7d6e5f';

  function renderings(error: unknown): string[] {
    return [
      (error as Error).message,
      String(error),
      JSON.stringify(error) ?? '',
      inspect(error, { depth: 10, showHidden: true }),
      (error as Error).stack ?? '',
    ];
  }

  function expectClean(error: unknown, extra: string[] = []) {
    for (const text of renderings(error)) {
      for (const secret of [TOKEN, SK, STS, ...extra]) expect(text).not.toContain(secret);
    }
  }

  const hang = (request: Request) =>
    new Promise<Response>((_, reject) => {
      request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
    });
  const refused = () => {
    throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  };
  const unauthorized = () =>
    json(401, { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail', request_id: '0f4e6fc6a1a9e0c0b1f2b3a4d5e6f708' });
  const handlers: Record<string, Handler> = { api: unauthorized, network: refused, timeout: hang };

  for (const [kind, handler] of Object.entries(handlers)) {
    it(`${kind} errors, with a token and with AK/SK + security token (and the Signature)`, async () => {
      const auths: EcsAuth[] = [tokenAuth(TOKEN), tokenAuth(async () => TOKEN), akskAuth({ ak: AK, sk: SK, securityToken: STS })];
      for (const auth of auths) {
        const f = fakeFetch(handler);
        const error = await apiError(makeClient(f.fetch, { auth, timeoutMs: 30 }).stopServer(SERVER));
        const headers = f.requests[0]!.headers;
        const signature = /Signature=([0-9a-f]+)/.exec(headers.get('authorization') ?? '')?.[1];
        if (auth.kind === 'aksk') {
          expect(signature).toMatch(/^[0-9a-f]{64}$/);
          expect(headers.get('x-security-token')).toBe(STS);
        } else {
          expect(headers.get('x-auth-token')).toBe(TOKEN);
        }
        expectClean(error, signature === undefined ? [] : [signature]);
      }
    });
  }

  it('input errors about credentials and requests', async () => {
    const errors: unknown[] = [];
    const attempts: Array<() => unknown> = [
      () => tokenAuth(`${TOKEN}\r\nX-Evil: 1`),
      () => tokenAuth(` ${TOKEN}`),
      () => akskAuth({ ak: AK, sk: `${SK}\n` }),
      () => akskAuth({ ak: AK, sk: SK, securityToken: `${STS}\r\n` }),
      () => akskAuth({ ak: `${AK}\n`, sk: SK }),
    ];
    for (const attempt of attempts) {
      try {
        attempt();
        throw new Error('expected a throw');
      } catch (error) {
        expect(error).toBeInstanceOf(EcsInputError);
        errors.push(error);
      }
    }
    // A token provider that returns a bad token: refused before the request, without echoing it.
    const f = fakeFetch(() => new Response(null, { status: 202 }));
    const client = makeClient(f.fetch, { auth: tokenAuth(() => `${TOKEN}\n`) });
    errors.push(await rejection(client.stopServer(SERVER)));
    // Input errors of a client holding secrets.
    const aksk = makeClient(f.fetch, { auth: akskAuth({ ak: AK, sk: SK, securityToken: STS }) });
    errors.push(await rejection(aksk.stopServer('..')));
    errors.push(await rejection(aksk.raw.POST('/v2.1/{project_id}/servers/{server_id}/action', { params: { path: { project_id: PROJECT, server_id: '' } }, body: { 'os-stop': {} } })));
    expect(f.requests).toHaveLength(0);
    for (const error of errors) {
      expect(error).toBeInstanceOf(EcsInputError);
      expectClean(error);
    }
  });
});
