/**
 * The client's requests and how it reads a success: what goes on the wire for stopServer,
 * which statuses resolve, and what `raw` carries. Every test injects `fetch`; no network.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { akskAuth, createEcsClient, EcsApiError, EcsInputError, packageVersion, tokenAuth } from '../../src/index.js';
import { componentValidator } from '../support/spec.js';
import { fakeFetch, makeClient, rejection, PROJECT, SERVER, ENDPOINT, TOKEN, until } from '../support/fixtures.js';

const REQ_ID = 'req-9d5e2b1a-3c4f-4e8a-b7d6-0f1e2a3b4c5d';

const validateStopBody = componentValidator('StopServerRequest');

describe('stopServer request', () => {
  it('POSTs {"os-stop":{}} to /v2.1/{project}/servers/{server}/action by default', async () => {
    const f = fakeFetch();
    await makeClient(f.fetch).stopServer(SERVER);
    expect(f.requests).toHaveLength(1);
    const request = f.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`${ENDPOINT}/v2.1/${PROJECT}/servers/${SERVER}/action`);
    expect(f.bodies[0]).toBe('{"os-stop":{}}');
  });

  it('sends {"os-stop":{"type":"HARD"}} (and SOFT) when a type is given', async () => {
    const f = fakeFetch();
    const client = makeClient(f.fetch);
    await client.stopServer(SERVER, { type: 'HARD' });
    await client.stopServer(SERVER, { type: 'SOFT' });
    expect(f.bodies).toEqual(['{"os-stop":{"type":"HARD"}}', '{"os-stop":{"type":"SOFT"}}']);
  });

  it("uses /v2/... for apiVersion 'v2'", async () => {
    const f = fakeFetch();
    const client = makeClient(f.fetch, { apiVersion: 'v2' });
    expect(client.apiVersion).toBe('v2');
    await client.stopServer(SERVER);
    expect(f.requests[0]!.url).toBe(`${ENDPOINT}/v2/${PROJECT}/servers/${SERVER}/action`);
  });

  it('sends Content-Type, X-Project-Id, User-Agent and the token; no microversion or request ID unless asked', async () => {
    const f = fakeFetch();
    await makeClient(f.fetch).stopServer(SERVER);
    const headers = f.requests[0]!.headers;
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('x-project-id')).toBe(PROJECT);
    expect(headers.get('user-agent')).toBe(`huaweicloud-ecs-stop/${packageVersion}`);
    expect(headers.get('x-auth-token')).toBe(TOKEN);
    expect(headers.get('x-openstack-nova-api-version')).toBeNull();
    expect(headers.get('openstack-api-version')).toBeNull();
    expect(headers.get('x-openstack-request-id')).toBeNull();
  });

  it('sends X-OpenStack-Nova-API-Version when a microversion is set (v2.1), and a custom User-Agent', async () => {
    const f = fakeFetch();
    await makeClient(f.fetch, { microversion: '2.60', userAgent: 'my-tool/1.2' }).stopServer(SERVER);
    expect(f.requests[0]!.headers.get('x-openstack-nova-api-version')).toBe('2.60');
    expect(f.requests[0]!.headers.get('user-agent')).toBe('my-tool/1.2');
  });

  it('sends X-OpenStack-Request-Id when requestId is given', async () => {
    const f = fakeFetch();
    await makeClient(f.fetch).stopServer(SERVER, { requestId: REQ_ID });
    expect(f.requests[0]!.headers.get('x-openstack-request-id')).toBe(REQ_ID);
  });

  it("every body the client builds is a valid StopServerRequest of the spec, on both versions", async () => {
    const f = fakeFetch();
    for (const apiVersion of ['v2', 'v2.1'] as const) {
      const client = makeClient(f.fetch, { apiVersion });
      for (const type of [undefined, 'SOFT', 'HARD'] as const) {
        await client.stopServer(SERVER, type === undefined ? {} : { type });
      }
    }
    expect(f.bodies).toHaveLength(6);
    for (const body of f.bodies) {
      expect(validateStopBody(JSON.parse(body)), `${body}: ${JSON.stringify(validateStopBody.errors)}`).toBe(true);
    }
  });

  it('signs with AK/SK: Authorization, X-Sdk-Date and X-Security-Token are sent', async () => {
    const f = fakeFetch();
    const auth = akskAuth({ ak: 'AKEXAMPLE', sk: 'SKEXAMPLE', securityToken: 'STSEXAMPLE' }, { now: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
    await makeClient(f.fetch, { auth }).stopServer(SERVER);
    const headers = f.requests[0]!.headers;
    expect(headers.get('x-sdk-date')).toBe('20240102T030405Z');
    expect(headers.get('x-security-token')).toBe('STSEXAMPLE');
    expect(headers.get('authorization')).toMatch(
      /^SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(headers.get('x-auth-token')).toBeNull();
  });
});

describe('endpoint', () => {
  it("an endpoint with a trailing '/' sends the same URL as without", async () => {
    const a = fakeFetch();
    const b = fakeFetch();
    const withSlash = makeClient(a.fetch, { endpoint: `${ENDPOINT}/` });
    await withSlash.stopServer(SERVER);
    await makeClient(b.fetch).stopServer(SERVER);
    expect(withSlash.endpoint).toBe(ENDPOINT);
    expect(a.requests[0]!.url).toBe(b.requests[0]!.url);
    expect(a.requests[0]!.url).not.toContain('//v2.1');
  });

  it("region 'cn-north-4' means https://ecs.cn-north-4.myhuaweicloud.com", async () => {
    const f = fakeFetch();
    const client = createEcsClient({ region: 'cn-north-4', projectId: PROJECT, auth: tokenAuth('t'), fetch: f.fetch });
    expect(client.endpoint).toBe('https://ecs.cn-north-4.myhuaweicloud.com');
    await client.stopServer(SERVER);
    expect(f.requests[0]!.url).toBe(`https://ecs.cn-north-4.myhuaweicloud.com/v2.1/${PROJECT}/servers/${SERVER}/action`);
  });
});

describe('stopServer result', () => {
  it.each([202, 204] as const)('resolves on %i with the status', async (status) => {
    const f = fakeFetch(() => new Response(null, { status }));
    await expect(makeClient(f.fetch).stopServer(SERVER)).resolves.toEqual({ status, requestId: undefined, alreadyStopped: false });
  });

  it('takes requestId from X-OpenStack-Request-Id, else X-Compute-Request-Id, else X-Request-Id', async () => {
    const cases: Array<[Record<string, string>, string | undefined]> = [
      [{ 'X-OpenStack-Request-Id': 'req-a', 'X-Compute-Request-Id': 'req-b', 'X-Request-Id': 'c' }, 'req-a'],
      [{ 'X-Compute-Request-Id': 'req-b', 'X-Request-Id': 'c' }, 'req-b'],
      [{ 'X-Request-Id': '0f4e6fc6a1a9e0c0b1f2b3a4d5e6f708' }, '0f4e6fc6a1a9e0c0b1f2b3a4d5e6f708'],
      [{}, undefined],
    ];
    for (const [headers, expected] of cases) {
      const f = fakeFetch(() => new Response(null, { status: 202, headers }));
      const result = await makeClient(f.fetch).stopServer(SERVER);
      expect(result.requestId, JSON.stringify(headers)).toBe(expected);
    }
  });

  it('a 202 with an unexpected (non-JSON) body still resolves, without parsing it', async () => {
    const f = fakeFetch(
      () => new Response('this is <not> json {', { status: 202, headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'x1' } }),
    );
    await expect(makeClient(f.fetch).stopServer(SERVER)).resolves.toEqual({ status: 202, requestId: 'x1', alreadyStopped: false });
  });

  it('a 202 whose body never ends still resolves (the body is not read)', async () => {
    let cancelled = false;
    const f = fakeFetch(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"partial":'));
            },
            cancel() {
              cancelled = true;
            },
          }),
          { status: 202 },
        ),
    );
    await expect(makeClient(f.fetch, { timeoutMs: 5_000 }).stopServer(SERVER)).resolves.toMatchObject({ status: 202 });
    await until(() => cancelled, 'the body cancelled');
  });

  it.each([200, 201, 300, 301, 302, 304, 307, 308])('%i is not success: EcsApiError kind http', async (status) => {
    const f = fakeFetch(() => new Response(status === 304 ? null : '{"server": {}}', { status, headers: { 'X-Request-Id': 'rid' } }));
    const error = await rejection(makeClient(f.fetch).stopServer(SERVER));
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toMatchObject({ status, kind: 'http', code: undefined, requestId: 'rid' });
    expect((error as EcsApiError).message).toMatch(new RegExp(`^HTTP ${status}\\b`));
    expect(f.requests).toHaveLength(1);
  });
});

describe('redirects', () => {
  it("are not followed: fetch gets redirect 'manual', a 302 elsewhere is an http error after one call", async () => {
    const f = fakeFetch(() => new Response(null, { status: 302, headers: { Location: 'https://evil.example.com/steal' } }));
    const error = await rejection(makeClient(f.fetch, { retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 5 } }).stopServer(SERVER));
    expect(f.requests).toHaveLength(1);
    expect(f.requests[0]!.redirect).toBe('manual');
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toMatchObject({ status: 302, kind: 'http' });
  });
});

describe('raw (the openapi-fetch client)', () => {
  it('carries the same auth middleware, headers and transport', async () => {
    const f = fakeFetch();
    const client = makeClient(f.fetch, { auth: tokenAuth('raw-token') });
    const { response } = await client.raw.POST('/v2/{project_id}/servers/{server_id}/action', {
      params: { path: { project_id: PROJECT, server_id: SERVER } },
      body: { 'os-stop': null },
    });
    expect(response.status).toBe(202);
    expect(f.requests).toHaveLength(1);
    const request = f.requests[0]!;
    expect(request.url).toBe(`${ENDPOINT}/v2/${PROJECT}/servers/${SERVER}/action`);
    expect(request.headers.get('x-auth-token')).toBe('raw-token');
    expect(request.headers.get('x-project-id')).toBe(PROJECT);
    expect(request.redirect).toBe('manual');
    expect(f.bodies[0]).toBe('{"os-stop":null}');
  });

  it('signs raw requests with AK/SK too', async () => {
    const f = fakeFetch();
    const client = makeClient(f.fetch, { auth: akskAuth({ ak: 'AKRAW', sk: 'SKRAW' }) });
    await client.raw.POST('/v2.1/{project_id}/servers/{server_id}/action', {
      params: { path: { project_id: PROJECT, server_id: SERVER } },
      body: { 'os-stop': {} },
    });
    expect(f.requests[0]!.headers.get('authorization')).toMatch(/^SDK-HMAC-SHA256 Access=AKRAW, /);
  });

  it.each(['', '.', '..'])("its pathSerializer refuses %j as a path parameter before any request", async (bad) => {
    const f = fakeFetch();
    const client = makeClient(f.fetch);
    for (const path of [
      { project_id: PROJECT, server_id: bad },
      { project_id: bad, server_id: SERVER },
    ]) {
      const error = await rejection(client.raw.POST('/v2.1/{project_id}/servers/{server_id}/action', { params: { path }, body: { 'os-stop': {} } }));
      expect(error).toBeInstanceOf(EcsInputError);
      expect((error as EcsInputError).field).toMatch(bad === path.server_id ? /server_id/ : /project_id/);
    }
    expect(f.requests).toHaveLength(0);
  });
});

describe('packageVersion', () => {
  it("equals package.json's version (it goes into the User-Agent)", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(packageVersion).toBe(pkg.version);
  });
});
