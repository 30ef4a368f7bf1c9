/**
 * Auth as an open strategy: any object with `kind` and `authorize` is an auth; it is called just
 * before each send, may use the client's transport, register secrets, and have a 401 retried once.
 */
import { describe, expect, it, vi } from 'vitest';
import { EcsApiError, EcsInputError, type AuthContext, type EcsAuth } from '../../src/index.js';
import { apiError, fakeFetch, json, makeClient, never, PROJECT, SERVER } from '../support/fixtures.js';

const IAM = 'https://iam.example.com/v3/auth/tokens';
const PASSWORD = 'hunter2-Pa55word-9f1c';

/** A token auth of one's own: fetches a token through the client's transport, refreshes it after a 401. */
function refreshingAuth(): EcsAuth & { fetched: number; unauthorized: number } {
  let token: string | undefined;
  const auth = {
    kind: 'iam-password',
    fetched: 0,
    unauthorized: 0,
    async authorize(request: Request, context: AuthContext) {
      context.registerSecret(PASSWORD);
      if (token === undefined) {
        const response = await context.fetch(new Request(IAM, { method: 'POST', body: JSON.stringify({ password: PASSWORD }) }));
        token = response.headers.get('X-Subject-Token') ?? undefined;
        auth.fetched++;
      }
      request.headers.set('X-Auth-Token', token!);
      return request;
    },
    onUnauthorized() {
      auth.unauthorized++;
      token = undefined;
      return true;
    },
  };
  return auth;
}

/** Answers the token endpoint with token-1, token-2, ...; the ECS call with `ecs(request, token)`. */
function iamAndEcs(ecs: (request: Request, token: string | null) => Response) {
  let issued = 0;
  return fakeFetch((request) =>
    request.url === IAM
      ? new Response(null, { status: 201, headers: { 'X-Subject-Token': `token-${++issued}` } })
      : ecs(request, request.headers.get('X-Auth-Token')),
  );
}

describe('an auth of your own', () => {
  it('is called before each send and may fetch through the client transport', async () => {
    const auth = refreshingAuth();
    const server = iamAndEcs(() => new Response(null, { status: 202 }));
    const client = makeClient(server.fetch, { auth });
    await client.stopServer(SERVER);
    await client.stopServer(SERVER);
    expect(server.requests.map((r) => `${r.method} ${new URL(r.url).host}`)).toEqual([
      'POST iam.example.com',
      'POST ecs.cn-north-4.myhuaweicloud.com',
      'POST ecs.cn-north-4.myhuaweicloud.com',
    ]);
    expect(server.requests.slice(1).map((r) => r.headers.get('X-Auth-Token'))).toEqual(['token-1', 'token-1']);
    // The token request went out as the auth made it: no project header, no token of the client's.
    expect(server.requests[0]!.headers.has('X-Auth-Token')).toBe(false);
    expect(auth.fetched).toBe(1);
  });

  it('gets a 401 once: it refreshes, and the same request is authorized and sent again', async () => {
    const auth = refreshingAuth();
    const server = iamAndEcs((_, token) => (token === 'token-1' ? json(401, { unauthorized: { code: 401, message: 'expired' } }) : new Response(null, { status: 202 })));
    const result = await makeClient(server.fetch, { auth }).stopServer(SERVER, { type: 'HARD' });
    expect(result.status).toBe(202);
    expect(auth.unauthorized).toBe(1);
    const stops = server.requests.filter((r) => r.url.endsWith('/action'));
    expect(stops.map((r) => r.headers.get('X-Auth-Token'))).toEqual(['token-1', 'token-2']);
    expect(server.bodies.filter((_, i) => server.requests[i]!.url.endsWith('/action'))).toEqual([
      '{"os-stop":{"type":"HARD"}}',
      '{"os-stop":{"type":"HARD"}}',
    ]);
  });

  it('a second 401 is the answer: no loop', async () => {
    const auth = refreshingAuth();
    const server = iamAndEcs(() => json(401, { unauthorized: { code: 401, message: 'no' } }));
    const error = await apiError(makeClient(server.fetch, { auth }).stopServer(SERVER));
    expect(error).toMatchObject({ status: 401, kind: 'unauthorized' });
    expect(auth.unauthorized).toBe(1);
    expect(server.requests.filter((r) => r.url.endsWith('/action'))).toHaveLength(2);
  });

  it('declining the retry (onUnauthorized resolves false) gives the 401 at once', async () => {
    const declining: EcsAuth = { kind: 'fixed', authorize: (request) => request, onUnauthorized: () => false };
    const server = fakeFetch(() => json(401, { unauthorized: { code: 401, message: 'no' } }));
    await expect(makeClient(server.fetch, { auth: declining }).stopServer(SERVER)).rejects.toMatchObject({ status: 401 });
    expect(server.requests).toHaveLength(1);
  });

  it('without onUnauthorized, a 401 is never retried', async () => {
    const plain: EcsAuth = { kind: 'fixed', authorize: (request) => request };
    const server = fakeFetch(() => json(401, { unauthorized: { code: 401, message: 'no' } }));
    await expect(makeClient(server.fetch, { auth: plain }).stopServer(SERVER)).rejects.toMatchObject({ status: 401 });
    expect(server.requests).toHaveLength(1);
  });

  it('registers secrets that no error shows, even when the server echoes them', async () => {
    const auth = refreshingAuth();
    const server = iamAndEcs((_, token) =>
      json(403, { forbidden: { code: 403, message: `policy denied for token ${token} (password ${PASSWORD})` } }, { 'X-Openstack-Request-Id': `req-${PASSWORD}` }),
    );
    const error = await apiError(makeClient(server.fetch, { auth }).stopServer(SERVER));
    expect(error.message).toBe('policy denied for token [redacted] (password [redacted])');
    expect(error.requestId).toBe('req-[redacted]');
  });

  it('is used by raw calls too, 401 retry included', async () => {
    const auth = refreshingAuth();
    const server = iamAndEcs((_, token) => (token === 'token-1' ? json(401, { unauthorized: { code: 401, message: 'expired' } }) : new Response(null, { status: 202 })));
    const { response } = await makeClient(server.fetch, { auth }).raw.POST('/v2.1/{project_id}/servers/{server_id}/action', {
      params: { path: { project_id: PROJECT, server_id: SERVER } },
      body: { 'os-stop': {} },
    });
    expect(response.status).toBe(202);
    expect(auth.unauthorized).toBe(1);
  });

  it('that throws fails the call as kind auth, before anything is sent, its text not kept', async () => {
    const failing: EcsAuth = { kind: 'vault', authorize: () => { throw new Error(`vault down, password=${PASSWORD}`); } };
    const server = fakeFetch();
    const error = await apiError(makeClient(server.fetch, { auth: failing }).stopServer(SERVER));
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(PASSWORD);
    expect(error.cause).toBeUndefined();
    expect(server.requests).toHaveLength(0);
  });

  it('a refresh that never settles is cut at timeoutMs (kind timeout); one that throws is kind auth', async () => {
    vi.useFakeTimers();
    try {
      const unauthorized = () => json(401, { unauthorized: { code: 401, message: 'expired' } });
      const hanging: EcsAuth = { kind: 'x', authorize: (r) => r, onUnauthorized: () => never() };
      const pending = apiError(makeClient(fakeFetch(unauthorized).fetch, { auth: hanging, timeoutMs: 5_000 }).stopServer(SERVER));
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await pending).toMatchObject({ kind: 'timeout', status: undefined });
    } finally {
      vi.useRealTimers();
    }
    const throwing: EcsAuth = { kind: 'x', authorize: (r) => r, onUnauthorized: () => { throw new Error(`refresh failed for ${PASSWORD}`); } };
    const error = await apiError(makeClient(fakeFetch(() => json(401, {})).fetch, { auth: throwing }).stopServer(SERVER));
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(PASSWORD);
  });

  it.each([
    ['null', null],
    ['an object without authorize', { kind: 'token' }],
    ['authorize that is not a function', { kind: 'token', authorize: 'X-Auth-Token: t' }],
    ['no kind', { authorize: (r: Request) => r }],
    ['an old-style middleware', { kind: 'token', middleware: { onRequest: () => undefined } }],
  ])('%s is refused as auth before anything is sent', (_, auth) => {
    const server = fakeFetch();
    expect(() => makeClient(server.fetch, { auth: auth as never })).toThrow(EcsInputError);
    expect(() => makeClient(server.fetch, { auth: auth as never })).toThrow(/^auth must be tokenAuth\(\.\.\.\), akskAuth\(\.\.\.\) or an object with kind and authorize\(\)$/);
    expect(server.requests).toHaveLength(0);
  });

  it('an onUnauthorized that is not a function is refused, naming it', () => {
    expect(() => makeClient(fakeFetch().fetch, { auth: { kind: 'x', authorize: (r: Request) => r, onUnauthorized: 1 } as never })).toThrow(
      expect.objectContaining({ field: 'auth.onUnauthorized' }),
    );
  });

  it('every error is an EcsError', async () => {
    const { EcsError } = await import('../../src/index.js');
    const error = await apiError(makeClient(fakeFetch(() => json(404, { itemNotFound: { code: 404, message: 'gone' } })).fetch).stopServer(SERVER));
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toBeInstanceOf(EcsError);
    expect(new EcsInputError('x', 'is bad')).toBeInstanceOf(EcsError);
  });
});

describe('headersFor: an auth that adds headers to the request as plain data', () => {
  it('is used instead of authorize where present, for every operation, and sees the exact request sent', async () => {
    const seen: { method: string; url: string; body: unknown; contentType: string | undefined }[] = [];
    const auth: EcsAuth = {
      kind: 'plain',
      authorize: () => {
        throw new Error('authorize must not be called when headersFor is there');
      },
      headersFor: (request) => {
        seen.push({ method: request.method, url: request.url, body: request.body, contentType: request.headers['content-type'] });
        return { 'x-auth-token': 'plain-token-1' };
      },
    };
    const server = fakeFetch((request) => (request.method === 'GET' ? json(200, { server: { id: SERVER, status: 'SHUTOFF' } }) : new Response(null, { status: 202 })));
    const client = makeClient(server.fetch, { auth });
    await client.stopServer(SERVER, { type: 'HARD' });
    await client.getServer(SERVER);
    await client.raw.GET('/v2.1/{project_id}/servers/{server_id}', { params: { path: { project_id: PROJECT, server_id: SERVER } } });
    expect(server.requests.map((r) => r.headers.get('x-auth-token'))).toEqual(['plain-token-1', 'plain-token-1', 'plain-token-1']);
    expect(seen[0]).toEqual({
      method: 'POST',
      url: `https://ecs.cn-north-4.myhuaweicloud.com/v2.1/${PROJECT}/servers/${SERVER}/action`,
      body: '{"os-stop":{"type":"HARD"}}',
      contentType: 'application/json',
    });
    expect(server.bodies[0]).toBe(seen[0]!.body);
    expect(seen.slice(1).map((s) => [s.method, s.body])).toEqual([['GET', null], ['GET', null]]);
  });

  it('that throws, or resolves never, fails as the credentials do (kind auth, kind timeout), nothing sent', async () => {
    const throwing: EcsAuth = { kind: 'x', authorize: (r) => r, headersFor: () => { throw new Error(`no header for ${PASSWORD}`); } };
    const server = fakeFetch();
    const error = await apiError(makeClient(server.fetch, { auth: throwing }).stopServer(SERVER));
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(PASSWORD);
    vi.useFakeTimers();
    try {
      const hanging: EcsAuth = { kind: 'x', authorize: (r) => r, headersFor: () => never() };
      const pending = apiError(makeClient(server.fetch, { auth: hanging, timeoutMs: 5_000 }).stopServer(SERVER));
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await pending).toMatchObject({ kind: 'timeout', status: undefined });
    } finally {
      vi.useRealTimers();
    }
    expect(server.requests).toHaveLength(0);
  });

  it('a headersFor that is not a function is refused, naming it', () => {
    expect(() => makeClient(fakeFetch().fetch, { auth: { kind: 'x', authorize: (r: Request) => r, headersFor: {} } as never })).toThrow(
      expect.objectContaining({ field: 'auth.headersFor' }),
    );
  });
});
