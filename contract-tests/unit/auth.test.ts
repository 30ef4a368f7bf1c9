/**
 * The built-in auths: AK/SK signing (SDK-HMAC-SHA256) against Huawei's published vector and
 * independent computations, on node:crypto and on Web Crypto, through openapi-fetch; token auth;
 * and credentials refused, naming the field. (No credential in any rendering: secrets.test.ts.)
 */
import { createHash, createHmac } from 'node:crypto';
import createClient, { type Middleware } from 'openapi-fetch';
import { describe, expect, it, vi } from 'vitest';
import { canonicalQueryString, canonicalRequest, canonicalUri, formatSdkDate } from '../../src/auth/signing.js';
import { akskAuth, EcsInputError, signRequest, tokenAuth } from '../../src/index.js';
import { asMiddleware, authorize, PROJECT, SERVER, VECTOR_AK as AK, VECTOR_SK as SK } from '../support/fixtures.js';

// Huawei's published test vector (facts.md §4): AK and SK from the fixtures, this date.
const VECTOR_DATE = new Date(Date.UTC(2019, 10, 15, 3, 36, 55));
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const STOP_URL = `https://ecs.cn-north-4.myhuaweicloud.com/v2.1/${PROJECT}/servers/${SERVER}/action`;

// Just enough of the generated `paths` for openapi-fetch's types.
interface paths {
  '/v2.1/{project_id}/servers/{server_id}/action': {
    post: {
      parameters: { path: { project_id: string; server_id: string } };
      requestBody: { content: { 'application/json': { 'os-stop': null | { type?: 'SOFT' | 'HARD' } } } };
      responses: { 202: { content?: never } };
    };
  };
}

/** An injected fetch that records the Request openapi-fetch sends, and answers 202. */
function capturingFetch(): { fetch: (input: Request) => Promise<Response>; requests: Request[] } {
  const requests: Request[] = [];
  return {
    requests,
    fetch: async (input: Request) => {
      requests.push(input);
      return new Response(null, { status: 202 });
    },
  };
}

async function stopThroughClient(baseUrl: string, middleware: Middleware): Promise<Request> {
  const capture = capturingFetch();
  const client = createClient<paths>({ baseUrl, fetch: capture.fetch });
  client.use(middleware);
  const { response } = await client.POST('/v2.1/{project_id}/servers/{server_id}/action', {
    params: { path: { project_id: PROJECT, server_id: SERVER } },
    headers: { 'X-Project-Id': PROJECT },
    body: { 'os-stop': {} },
  });
  expect(response.status).toBe(202);
  expect(capture.requests).toHaveLength(1);
  return capture.requests[0]!;
}

function parseAuthorization(value: string | null): { access: string; signedHeaders: string; signature: string } {
  const match = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(value ?? '');
  if (!match) throw new Error(`unexpected Authorization header: ${value}`);
  return { access: match[1]!, signedHeaders: match[2]!, signature: match[3]! };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('SDK-HMAC-SHA256: Huawei published test vector', () => {
  const url = `https://service.region.example.com/v1/${PROJECT}/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0`;

  it('has the published canonical request hash', () => {
    const headers = new Headers({ 'Content-Type': 'application/json', 'X-Sdk-Date': '20191115T033655Z' });
    const { canonicalRequest: text, signedHeaders } = canonicalRequest('GET', url, headers, EMPTY_SHA256);
    expect(text).toBe(
      'GET\n' +
        `/v1/${PROJECT}/vpcs/\n` +
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n' +
        'content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n' +
        'content-type;host;x-sdk-date\n' +
        EMPTY_SHA256,
    );
    expect(signedHeaders).toBe('content-type;host;x-sdk-date');
    expect(sha256(text)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
  });

  it('gives the published Authorization header', async () => {
    const request = new Request(url, { headers: { 'Content-Type': 'application/json' } });
    const signed = await signRequest(request, { ak: AK, sk: SK }, VECTOR_DATE);
    expect(signed.headers.get('Authorization')).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, ' +
        'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
    expect(signed.headers.get('X-Sdk-Date')).toBe('20191115T033655Z');
    expect(signed.headers.has('Host')).toBe(false);
    expect(signed.url).toBe(url);
    expect(signed.method).toBe('GET');
    expect(request.headers.has('Authorization')).toBe(false); // the input is not modified
  });

  it('gives the same header through akskAuth', async () => {
    const auth = akskAuth({ ak: AK, sk: SK }, { now: () => VECTOR_DATE });
    const request = new Request(url, { headers: { 'Content-Type': 'application/json' } });
    const signed = await authorize(auth, request);
    expect(signed).toBeInstanceOf(Request);
    expect(parseAuthorization((signed as Request).headers.get('Authorization')).signature).toBe(
      '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });
});

describe('akskAuth({ signedHost })', () => {
  it('signs the host a proxy will forward to, in lowercase, instead of the URL host', async () => {
    const body = '{"os-stop": {}}';
    const at = (url: string) => new Request(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    const viaProxy = await authorize(akskAuth({ ak: AK, sk: SK }, { now: () => VECTOR_DATE, signedHost: 'ECS.Example.com:8443' }), at('http://127.0.0.1:4010/v2.1/p/servers/s/action'));
    const direct = await authorize(akskAuth({ ak: AK, sk: SK }, { now: () => VECTOR_DATE }), at('https://ecs.example.com:8443/v2.1/p/servers/s/action'));
    expect(viaProxy.headers.get('Authorization')).toBe(direct.headers.get('Authorization'));
    expect(viaProxy.url).toBe('http://127.0.0.1:4010/v2.1/p/servers/s/action');
  });

  it.each(['', 'host/path', 'a b', 'host:123456', 'user@host'])('refuses %j, naming options.signedHost', (signedHost) => {
    expect(() => akskAuth({ ak: AK, sk: SK }, { signedHost })).toThrow(expect.objectContaining({ field: 'options.signedHost' }));
  });
});

describe('on a runtime without node:crypto (browsers, workers): the Web Crypto path', () => {
  async function loadWithoutNodeCrypto() {
    const processWithBuiltins = process as { getBuiltinModule?: unknown };
    const original = processWithBuiltins.getBuiltinModule;
    delete processWithBuiltins.getBuiltinModule;
    try {
      vi.resetModules();
      return await import('../../src/auth/aksk.js');
    } finally {
      processWithBuiltins.getBuiltinModule = original;
      vi.resetModules();
    }
  }

  it('gives the published Authorization header, directly and as an auth, over the exact body', async () => {
    const web = await loadWithoutNodeCrypto();
    const url = `https://service.region.example.com/v1/${PROJECT}/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0`;
    const signed = await web.signRequest(new Request(url, { headers: { 'Content-Type': 'application/json' } }), { ak: AK, sk: SK }, VECTOR_DATE);
    expect(parseAuthorization(signed.headers.get('Authorization')).signature).toBe(
      '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
    const node = akskAuth({ ak: AK, sk: SK }, { now: () => VECTOR_DATE });
    const browser = web.akskAuth({ ak: AK, sk: SK }, { now: () => VECTOR_DATE });
    const sign = (auth: typeof node) =>
      authorize(auth, new Request(STOP_URL, { method: 'POST', body: '{"os-stop": {}}', headers: { 'Content-Type': 'application/json' } }));
    const [viaNode, viaWeb] = await Promise.all([sign(node), sign(browser)]);
    expect(viaWeb.headers.get('Authorization')).toBe(viaNode.headers.get('Authorization'));
    expect(await viaWeb.text()).toBe('{"os-stop": {}}');
  });
});

describe('canonicalUri', () => {
  it('always ends with /, once', () => {
    expect(canonicalUri('/v2.1/p/servers/s/action')).toBe('/v2.1/p/servers/s/action/');
    expect(canonicalUri('/v2.1/p/')).toBe('/v2.1/p/');
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('')).toBe('/');
  });

  it('encodes each segment per RFC 3986, without double-encoding', () => {
    expect(canonicalUri('/a b/c')).toBe('/a%20b/c/');
    expect(canonicalUri('/a%20b/c')).toBe('/a%20b/c/');
    expect(canonicalUri("/x!*'()y")).toBe('/x%21%2A%27%28%29y/');
    expect(canonicalUri('/é/ü')).toBe('/%C3%A9/%C3%BC/');
    expect(canonicalUri('/%C3%A9')).toBe('/%C3%A9/');
    expect(canonicalUri('/keep-._~AZaz09')).toBe('/keep-._~AZaz09/');
  });

  it('keeps %2F inside a segment (signing refuses such a path before it gets here)', () => {
    expect(canonicalUri('/servers/a%2Fb/action')).toBe('/servers/a%2Fb/action/');
    expect(canonicalUri('/servers/a%2fb')).toBe('/servers/a%2Fb/');
  });

  it("keeps a '%' that starts no UTF-8 escape as it is (signing refuses such a path first)", () => {
    expect(canonicalUri('/a%zz/b%FF')).toBe('/a%zz/b%FF/');
  });

  it('signs an URL-encoded pathname the way it is sent', () => {
    expect(canonicalUri(new URL('https://h/s/a b/ü').pathname)).toBe('/s/a%20b/%C3%BC/');
  });
});

describe('canonicalQueryString', () => {
  it('sorts by key, then by value', () => {
    expect(canonicalQueryString('b=2&a=9&a=1&c=')).toBe('a=1&a=9&b=2&c=');
    expect(canonicalQueryString('?marker=x&limit=2')).toBe('limit=2&marker=x');
    expect(canonicalQueryString(new URLSearchParams([['z', '1'], ['y', '2']]))).toBe('y=2&z=1');
    expect(canonicalQueryString('')).toBe('');
  });

  it('encodes keys and values per RFC 3986', () => {
    // A raw '+' never reaches this in signing (refused: space or plus is ambiguous).
    expect(canonicalQueryString('q=a+b')).toBe('q=a%20b');
    expect(canonicalQueryString('q=a%20b')).toBe('q=a%20b');
    expect(canonicalQueryString('t=~x')).toBe('t=~x');
    expect(canonicalQueryString("k!=(*)'&n=é")).toBe('k%21=%28%2A%29%27&n=%C3%A9');
    expect(canonicalQueryString('k=%2F%26')).toBe('k=%2F%26');
  });
});

describe('formatSdkDate', () => {
  it('formats as YYYYMMDDTHHMMSSZ in UTC', () => {
    expect(formatSdkDate(VECTOR_DATE)).toBe('20191115T033655Z');
    expect(formatSdkDate(new Date('2024-01-02T03:04:05.678+05:00'))).toBe('20240101T220405Z');
  });

  it('refuses an invalid date', () => {
    expect(() => formatSdkDate(new Date(Number.NaN))).toThrow(EcsInputError);
  });
});

describe('signRequest', () => {
  it('hashes the exact body bytes (verified independently with node:crypto)', async () => {
    const date = new Date('2024-05-06T07:08:09Z');
    const sign = async (body: string) =>
      signRequest(
        new Request(STOP_URL, {
          method: 'POST',
          body,
          headers: { 'Content-Type': 'application/json', 'X-Project-Id': PROJECT },
        }),
        { ak: AK, sk: SK },
        date,
      );
    const compact = await sign('{"os-stop":{}}');
    const spaced = await sign('{"os-stop": {}}');
    const compactAuth = parseAuthorization(compact.headers.get('Authorization'));
    expect(compactAuth.signature).not.toBe(parseAuthorization(spaced.headers.get('Authorization')).signature);
    expect(await compact.text()).toBe('{"os-stop":{}}');
    expect(await spaced.text()).toBe('{"os-stop": {}}');

    const bodyHash = 'b97d748610450ad2f4bd9887830fcf86f0850786368d06e7f74ef682b780fc5f';
    expect(sha256('{"os-stop":{}}')).toBe(bodyHash);
    const expectedCanonical =
      'POST\n' +
      `/v2.1/${PROJECT}/servers/${SERVER}/action/\n` +
      '\n' +
      'content-type:application/json\n' +
      'host:ecs.cn-north-4.myhuaweicloud.com\n' +
      `x-project-id:${PROJECT}\n` +
      'x-sdk-date:20240506T070809Z\n' +
      '\n' +
      'content-type;host;x-project-id;x-sdk-date\n' +
      bodyHash;
    const stringToSign = `SDK-HMAC-SHA256\n20240506T070809Z\n${sha256(expectedCanonical)}`;
    const expectedSignature = createHmac('sha256', SK).update(stringToSign).digest('hex');
    expect(compact.headers.get('Authorization')).toBe(
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=${expectedSignature}`,
    );
  });

  it('signs X-Security-Token and X-Project-Id when present, and a non-default port in host', async () => {
    const signed = await signRequest(
      new Request('http://127.0.0.1:4010/v2/p/servers/s/action', {
        method: 'POST',
        body: '{"os-stop":null}',
        headers: { 'content-type': 'application/json', 'x-project-id': 'p' },
      }),
      { ak: AK, sk: SK, securityToken: 'temp-token' },
      VECTOR_DATE,
    );
    expect(signed.headers.get('X-Security-Token')).toBe('temp-token');
    const auth = parseAuthorization(signed.headers.get('Authorization'));
    expect(auth.signedHeaders).toBe('content-type;host;x-project-id;x-sdk-date;x-security-token');

    const bodyHash = sha256('{"os-stop":null}');
    const canonical =
      'POST\n/v2/p/servers/s/action/\n\n' +
      'content-type:application/json\nhost:127.0.0.1:4010\nx-project-id:p\n' +
      'x-sdk-date:20191115T033655Z\nx-security-token:temp-token\n\n' +
      `${auth.signedHeaders}\n${bodyHash}`;
    const expected = createHmac('sha256', SK)
      .update(`SDK-HMAC-SHA256\n20191115T033655Z\n${sha256(canonical)}`)
      .digest('hex');
    expect(auth.signature).toBe(expected);
  });

  it('signs only host and x-sdk-date when nothing else is present, with the empty-body hash', async () => {
    const signed = await signRequest(new Request('https://h/x'), { ak: AK, sk: SK }, VECTOR_DATE);
    const auth = parseAuthorization(signed.headers.get('Authorization'));
    expect(auth.signedHeaders).toBe('host;x-sdk-date');
    const canonical = `GET\n/x/\n\nhost:h\nx-sdk-date:20191115T033655Z\n\nhost;x-sdk-date\n${EMPTY_SHA256}`;
    expect(auth.signature).toBe(
      createHmac('sha256', SK).update(`SDK-HMAC-SHA256\n20191115T033655Z\n${sha256(canonical)}`).digest('hex'),
    );
  });

  it('keeps method, body, signal and other headers, and leaves the input readable', async () => {
    const controller = new AbortController();
    const input = new Request(STOP_URL, {
      method: 'POST',
      body: '{"os-stop":{"type":"HARD"}}',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      signal: controller.signal,
    });
    const signed = await signRequest(input, { ak: AK, sk: SK }, VECTOR_DATE);
    expect(signed.method).toBe('POST');
    expect(signed.headers.get('Accept')).toBe('application/json');
    expect(await signed.text()).toBe('{"os-stop":{"type":"HARD"}}');
    expect(await input.text()).toBe('{"os-stop":{"type":"HARD"}}');
    controller.abort();
    expect(signed.signal.aborted).toBe(true);
  });
});

describe('through openapi-fetch', () => {
  const fixedNow = () => new Date('2024-05-06T07:08:09Z');

  it('an endpoint with a trailing / sends and signs the same path as without', async () => {
    const auth = akskAuth({ ak: AK, sk: SK }, { now: fixedNow });
    const plain = await stopThroughClient('https://ecs.example.com', asMiddleware(auth));
    const slashed = await stopThroughClient('https://ecs.example.com/', asMiddleware(auth));
    expect(plain.url).toBe(`https://ecs.example.com/v2.1/${PROJECT}/servers/${SERVER}/action`);
    expect(slashed.url).toBe(plain.url);
    expect(slashed.headers.get('Authorization')).toBe(plain.headers.get('Authorization'));

    // And that signature is over the path actually sent (no `//v2.1`).
    const canonical =
      `POST\n/v2.1/${PROJECT}/servers/${SERVER}/action/\n\n` +
      `content-type:application/json\nhost:ecs.example.com\nx-project-id:${PROJECT}\nx-sdk-date:20240506T070809Z\n\n` +
      `content-type;host;x-project-id;x-sdk-date\n${sha256('{"os-stop":{}}')}`;
    expect(parseAuthorization(plain.headers.get('Authorization')).signature).toBe(
      createHmac('sha256', SK).update(`SDK-HMAC-SHA256\n20240506T070809Z\n${sha256(canonical)}`).digest('hex'),
    );
  });

  it('a URL that really has // is signed as sent', async () => {
    const signed = await signRequest(new Request('https://h//v2.1/p'), { ak: AK, sk: SK }, VECTOR_DATE);
    const canonical = `GET\n//v2.1/p/\n\nhost:h\nx-sdk-date:20191115T033655Z\n\nhost;x-sdk-date\n${EMPTY_SHA256}`;
    expect(parseAuthorization(signed.headers.get('Authorization')).signature).toBe(
      createHmac('sha256', SK).update(`SDK-HMAC-SHA256\n20191115T033655Z\n${sha256(canonical)}`).digest('hex'),
    );
  });

  it('the sent request carries Authorization and X-Sdk-Date, with the body unchanged', async () => {
    const auth = akskAuth({ ak: AK, sk: SK, securityToken: 'sts-token' }, { now: fixedNow });
    const sent = await stopThroughClient('https://ecs.example.com', asMiddleware(auth));
    expect(sent.method).toBe('POST');
    expect(sent.headers.get('X-Sdk-Date')).toBe('20240506T070809Z');
    expect(sent.headers.get('X-Security-Token')).toBe('sts-token');
    expect(sent.headers.get('Content-Type')).toBe('application/json');
    expect(parseAuthorization(sent.headers.get('Authorization')).access).toBe(AK);
    expect(await sent.text()).toBe('{"os-stop":{}}');
  });

  it('uses the clock on every request', async () => {
    let seconds = 0;
    const auth = akskAuth({ ak: AK, sk: SK }, { now: () => new Date(Date.UTC(2024, 0, 1, 0, 0, seconds++)) });
    const first = await stopThroughClient('https://ecs.example.com', asMiddleware(auth));
    const second = await stopThroughClient('https://ecs.example.com', asMiddleware(auth));
    expect(first.headers.get('X-Sdk-Date')).toBe('20240101T000000Z');
    expect(second.headers.get('X-Sdk-Date')).toBe('20240101T000001Z');
    expect(first.headers.get('Authorization')).not.toBe(second.headers.get('Authorization'));
  });

  it('tokenAuth sets X-Auth-Token and leaves the body alone', async () => {
    const sent = await stopThroughClient('https://ecs.example.com', asMiddleware(tokenAuth('MIIE-token')));
    expect(sent.headers.get('X-Auth-Token')).toBe('MIIE-token');
    expect(sent.headers.has('Authorization')).toBe(false);
    expect(await sent.text()).toBe('{"os-stop":{}}');
  });

  it('tokenAuth calls a token function on every request', async () => {
    let calls = 0;
    const auth = tokenAuth(async () => `token-${++calls}`);
    const first = await stopThroughClient('https://ecs.example.com', asMiddleware(auth));
    const second = await stopThroughClient('https://ecs.example.com', asMiddleware(auth));
    expect(calls).toBe(2);
    expect(first.headers.get('X-Auth-Token')).toBe('token-1');
    expect(second.headers.get('X-Auth-Token')).toBe('token-2');
  });

  it('a token function returning a bad token fails the call with EcsInputError (auth.token), nothing sent', async () => {
    const capture = capturingFetch();
    const client = createClient<paths>({ baseUrl: 'https://ecs.example.com', fetch: capture.fetch });
    client.use(asMiddleware(tokenAuth(() => 'secret\r\nX-Injected: 1')));
    const error = await client
      .POST('/v2.1/{project_id}/servers/{server_id}/action', {
        params: { path: { project_id: PROJECT, server_id: SERVER } },
        body: { 'os-stop': null },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(EcsInputError);
    expect((error as EcsInputError).field).toBe('auth.token');
    expect(capture.requests).toHaveLength(0);
  });
});

describe('bad input', () => {
  const expectInputError = (fn: () => unknown, field: string) => {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(EcsInputError);
    expect((caught as EcsInputError).field).toBe(field);
  };

  it('akskAuth refuses unusable credentials, naming the field', () => {
    const spoil = (s: string) => ['', ` ${s}`, `${s}\n`, `${s}\r\n`, `${s.slice(0, 5)} ${s.slice(5)}`, `${s}\u0000`, `${s}Ä`];
    for (const ak of spoil(AK)) expectInputError(() => akskAuth({ ak, sk: SK }), 'auth.ak');
    for (const sk of spoil(SK)) expectInputError(() => akskAuth({ ak: AK, sk }), 'auth.sk');
    expectInputError(() => akskAuth({ ak: AK, sk: SK, securityToken: 'sts\r\ntoken' }), 'auth.securityToken');
    expectInputError(() => akskAuth({ ak: AK, sk: SK, securityToken: '' }), 'auth.securityToken');
    expectInputError(() => akskAuth({ ak: 42, sk: SK } as never), 'auth.ak');
    expectInputError(() => akskAuth({ ak: AK } as never), 'auth.sk');
    expectInputError(() => akskAuth(null as never), 'auth');
  });

  it('signRequest refuses unusable credentials too', async () => {
    await expect(signRequest(new Request('https://h/'), { ak: AK, sk: `${SK} ` }, VECTOR_DATE)).rejects.toThrow(
      EcsInputError,
    );
  });

  it('tokenAuth refuses an unusable token, naming the field', () => {
    for (const token of ['', 'xyzzy\n-secret', 'xyzzy\r-secret', 'xyzzy\u0007-secret', 'xyzzy\u2028-secret', ' xyzzy']) {
      expectInputError(() => tokenAuth(token), 'auth.token');
    }
    expectInputError(() => tokenAuth(undefined as never), 'auth.token');
    expectInputError(() => tokenAuth(12 as never), 'auth.token');
  });

  it('an auth shows itself as its kind: frozen, JSON {kind}, no keys but kind, authorize, headersFor and its renderers', async () => {
    const aksk = akskAuth({ ak: AK, sk: SK, securityToken: 'sts-secret-token' });
    const token = tokenAuth('MIIE-secret-token');
    const tokenFn = tokenAuth(() => 'MIIE-secret-token');
    await stopThroughClient('https://ecs.example.com', asMiddleware(aksk)); // after use, too
    for (const auth of [aksk, token, tokenFn]) {
      expect(Object.keys(auth).sort()).toEqual(['authorize', 'headersFor', 'kind', 'toJSON', 'toString']);
      expect(Object.isFrozen(auth)).toBe(true);
    }
    expect(JSON.parse(JSON.stringify(aksk))).toEqual({ kind: 'aksk' });
    expect(JSON.parse(JSON.stringify(token))).toEqual({ kind: 'token' });
    expect(String(tokenFn)).toBe('[EcsAuth token]');
    expect(aksk.kind).toBe('aksk');
  });
});
