/**
 * keystoneAuth on an injected fetch that plays Keystone (or Huawei IAM) and Nova: the token
 * request's body for each way of signing in, the token cached and fetched again before it
 * expires (on an injected clock) and after a 401, one fetch shared by concurrent calls, IAM's
 * error shapes as typed errors, bad options refused by name, and no secret in any error.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EcsApiError, EcsInputError, keystoneAuth, type KeystoneAuthOptions } from '../../src/index.js';
import { apiError, fakeFetch, fetchFailed, json, makeClient, PROJECT, SERVER } from '../support/fixtures.js';

const AUTH_URL = 'https://iam.cn-north-4.myhuaweicloud.com/v3';
const TOKENS = `${AUTH_URL}/auth/tokens`;
const PASSWORD = 'Pa55-word-9f1c-secret';
const APP_SECRET = 'app-cred-secret-5d1e-zz';
const HOUR = 3_600_000;

const huawei: KeystoneAuthOptions = { authUrl: AUTH_URL, username: 'ops-robot', userDomainName: 'acme-account', password: PASSWORD, projectName: 'cn-north-4' };

/** Keystone's token answer: 201, the token in X-Subject-Token, its life in the body. */
function tokenResponse(token: string, { life = HOUR, issued = Date.parse('2026-12-02T10:00:00Z') } = {}) {
  const body = {
    token: {
      methods: ['password'],
      issued_at: new Date(issued).toISOString(),
      expires_at: new Date(issued + life).toISOString(),
      project: { id: PROJECT, name: 'cn-north-4' },
      catalog: [{ type: 'compute', name: 'nova', endpoints: [{ interface: 'public', region_id: 'cn-north-4', url: `https://ecs.cn-north-4.myhuaweicloud.com/v2.1/${PROJECT}` }] }],
    },
  };
  return json(201, body, { 'X-Subject-Token': token });
}

/** Keystone and Nova in one fetch: tokens token-1, token-2, ...; Nova answers `nova(token)`. */
function cloud(nova: (token: string | null) => Response = () => new Response(null, { status: 202 }), issue = (n: number) => tokenResponse(`MIIE-token-${n}`)) {
  let issued = 0;
  return fakeFetch((request) => (request.url === TOKENS ? issue(++issued) : nova(request.headers.get('x-auth-token'))));
}

const clock = (start = Date.parse('2026-12-02T10:00:00Z')) => {
  const state = { now: start };
  return { state, now: () => state.now };
};

describe('the token request', () => {
  it.each([
    [
      "Huawei: a user in an account, the region's project by name without a domain",
      huawei,
      { identity: { methods: ['password'], password: { user: { name: 'ops-robot', domain: { name: 'acme-account' }, password: PASSWORD } } }, scope: { project: { name: 'cn-north-4' } } },
    ],
    [
      'Keystone: user and project by name, each with its domain',
      { authUrl: AUTH_URL, username: 'demo', userDomainName: 'Default', password: PASSWORD, projectName: 'demo', projectDomainName: 'Default' },
      { identity: { methods: ['password'], password: { user: { name: 'demo', domain: { name: 'Default' }, password: PASSWORD } } }, scope: { project: { name: 'demo', domain: { name: 'Default' } } } },
    ],
    [
      'by IDs',
      { authUrl: AUTH_URL, userId: 'u-1', password: PASSWORD, projectId: PROJECT },
      { identity: { methods: ['password'], password: { user: { id: 'u-1', password: PASSWORD } } }, scope: { project: { id: PROJECT } } },
    ],
    [
      "Huawei's MFA: password and a TOTP passcode",
      { ...huawei, totp: '123456' },
      {
        identity: {
          methods: ['password', 'totp'],
          password: { user: { name: 'ops-robot', domain: { name: 'acme-account' }, password: PASSWORD } },
          totp: { user: { name: 'ops-robot', domain: { name: 'acme-account' }, passcode: '123456' } },
        },
        scope: { project: { name: 'cn-north-4' } },
      },
    ],
    [
      'an application credential by ID (no scope: it has its own)',
      { authUrl: AUTH_URL, applicationCredentialId: 'ac-1', applicationCredentialSecret: APP_SECRET },
      { identity: { methods: ['application_credential'], application_credential: { id: 'ac-1', secret: APP_SECRET } } },
    ],
    [
      'an application credential by name, with its user',
      { authUrl: AUTH_URL, applicationCredentialName: 'ci', username: 'demo', userDomainId: 'default', applicationCredentialSecret: APP_SECRET },
      { identity: { methods: ['application_credential'], application_credential: { name: 'ci', user: { name: 'demo', domain: { id: 'default' } }, secret: APP_SECRET } } },
    ],
  ])('%s', async (_label, options, auth) => {
    const server = cloud();
    await makeClient(server.fetch, { auth: keystoneAuth(options as KeystoneAuthOptions) }).stopServer(SERVER);
    expect(server.requests[0]!.url).toBe(TOKENS);
    expect(server.requests[0]!.method).toBe('POST');
    expect(server.requests[0]!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(server.bodies[0]!)).toEqual({ auth });
    // The token request carries no token and no project header of the client's.
    expect(server.requests[0]!.headers.has('x-auth-token')).toBe(false);
    expect(server.requests[1]!.headers.get('x-auth-token')).toBe('MIIE-token-1');
  });

  it('a TOTP function is asked for a passcode each time a token is fetched', async () => {
    const codes = ['111111', '222222'];
    const server = cloud((token) => (token === 'MIIE-token-1' ? json(401, { error: { code: 401, message: 'expired', title: 'Unauthorized' } }) : new Response(null, { status: 202 })));
    await makeClient(server.fetch, { auth: keystoneAuth({ ...huawei, totp: () => codes.shift()! }) }).stopServer(SERVER);
    const passcodes = server.bodies.filter((_, i) => server.requests[i]!.url === TOKENS).map((body) => JSON.parse(body).auth.identity.totp.user.passcode);
    expect(passcodes).toEqual(['111111', '222222']);
  });
});

describe('the token’s life', () => {
  it('is fetched once and used for every call until it is due', async () => {
    const server = cloud();
    const client = makeClient(server.fetch, { auth: keystoneAuth(huawei) });
    for (let i = 0; i < 5; i++) await client.stopServer(SERVER);
    await client.getServer(SERVER).catch(() => {});
    expect(server.requests.filter((r) => r.url === TOKENS)).toHaveLength(1);
    expect(new Set(server.requests.slice(1).map((r) => r.headers.get('x-auth-token')))).toEqual(new Set(['MIIE-token-1']));
  });

  it('is fetched again refreshMarginMs before it expires, judged from when it was fetched (not the server’s clock)', async () => {
    const time = clock(Date.parse('2031-01-01T00:00:00Z')); // this machine's clock is years off the server's
    const server = cloud();
    const client = makeClient(server.fetch, { auth: keystoneAuth({ ...huawei, refreshMarginMs: 60_000, now: time.now }) });
    await client.stopServer(SERVER);
    time.state.now += HOUR - 60_001;
    await client.stopServer(SERVER);
    expect(server.requests.filter((r) => r.url === TOKENS)).toHaveLength(1);
    time.state.now += 1;
    await client.stopServer(SERVER);
    expect(server.requests.filter((r) => r.url === TOKENS)).toHaveLength(2);
    expect(server.requests.at(-1)!.headers.get('x-auth-token')).toBe('MIIE-token-2');
  });

  it('a 5-second token is fetched again at half its life, before the default margin of a minute', async () => {
    const time = clock();
    const server = cloud(undefined, (n) => tokenResponse(`MIIE-token-${n}`, { life: 5_000 }));
    const client = makeClient(server.fetch, { auth: keystoneAuth({ ...huawei, now: time.now }) });
    await client.stopServer(SERVER);
    time.state.now += 2_499;
    await client.stopServer(SERVER);
    time.state.now += 1;
    await client.stopServer(SERVER);
    expect(server.requests.filter((r) => r.url === TOKENS)).toHaveLength(2);
  });

  it('a 401 from the service: a new token, the call sent again once; a second 401 is the answer', async () => {
    const unauthorized = () => json(401, { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } });
    const server = cloud((token) => (token === 'MIIE-token-1' ? unauthorized() : new Response(null, { status: 202 })));
    const client = makeClient(server.fetch, { auth: keystoneAuth(huawei) });
    expect((await client.stopServer(SERVER)).status).toBe(202);
    expect(server.requests.map((r) => (r.url === TOKENS ? 'token' : r.headers.get('x-auth-token')))).toEqual(['token', 'MIIE-token-1', 'token', 'MIIE-token-2']);
    const always = cloud(() => unauthorized());
    const error = await apiError(makeClient(always.fetch, { auth: keystoneAuth(huawei) }).stopServer(SERVER));
    expect(error).toMatchObject({ status: 401, kind: 'identity' });
    expect(always.requests.filter((r) => r.url === TOKENS)).toHaveLength(2);
  });

  it('100 calls at once share one token fetch; 100 that get a 401 share one refresh', async () => {
    const time = clock();
    let gate: (() => void) | undefined;
    let issued = 0;
    let revoked = false;
    const server = fakeFetch(async (request) => {
      if (request.url === TOKENS) {
        issued++;
        // The first answer waits until every call is waiting for it.
        if (issued === 1) await new Promise<void>((resolve) => (gate = resolve));
        return tokenResponse(`MIIE-token-${issued}`);
      }
      const token = request.headers.get('x-auth-token');
      return revoked && token === 'MIIE-token-1' ? json(401, { error: { code: 401, message: 'revoked', title: 'Unauthorized' } }) : new Response(null, { status: 202 });
    });
    const client = makeClient(server.fetch, { auth: keystoneAuth({ ...huawei, now: time.now }) });
    const first = Promise.all(Array.from({ length: 100 }, () => client.stopServer(SERVER)));
    while (!gate) await new Promise((resolve) => setImmediate(resolve));
    gate();
    expect((await first).every((r) => r.status === 202)).toBe(true);
    expect(issued).toBe(1);
    revoked = true;
    time.state.now += 10_000;
    const second = await Promise.all(Array.from({ length: 100 }, () => client.stopServer(SERVER)));
    expect(second.every((r) => r.status === 202)).toBe(true);
    expect(issued).toBe(2);
  });
});

describe("the identity service's errors", () => {
  it.each([
    ['Keystone: a wrong password', json(401, { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } }), { status: 401, kind: 'identity', message: 'The request you have made requires authentication.' }],
    ['Huawei IAM: IAM.0062, a wrong password', json(401, { error_code: 'IAM.0062', error_msg: 'Incorrect password.' }), { status: 401, kind: 'identity', code: 'IAM.0062', message: 'Incorrect password.' }],
    ['Huawei IAM: IAM.0061, a locked user', json(401, { error_code: 'IAM.0061', error_msg: 'The account is locked.' }), { status: 401, kind: 'identity', code: 'IAM.0061' }],
    ["Huawei's gateway", json(429, { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached', request_id: 'r-1' }), { status: 429, kind: 'gateway', code: 'APIGW.0308' }],
    ['Keystone: a missing domain (400)', json(400, { error: { code: 400, message: 'Expecting to find domain in project.', title: 'Bad Request' } }), { status: 400, kind: 'identity' }],
    ['201 without X-Subject-Token', json(201, { token: { expires_at: '2026-12-02T11:00:00Z' } }), { status: 201, kind: 'http' }],
  ])('%s: a typed EcsApiError, nothing sent to the service, no secret shown', async (_label, answer, expected) => {
    const server = cloud(undefined, () => answer.clone());
    const error = await apiError(makeClient(server.fetch, { auth: keystoneAuth({ ...huawei, totp: '654321' }), retry: false }).stopServer(SERVER));
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toMatchObject(expected);
    expect(server.requests.every((r) => r.url === TOKENS)).toBe(true);
    for (const shown of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 5 })]) {
      expect(shown).not.toContain(PASSWORD);
      expect(shown).not.toContain('654321');
    }
  });

  it('an identity service that cannot be reached: a network EcsApiError naming its token URL, nothing sent to the service', async () => {
    const server = fakeFetch((request) => (request.url === TOKENS ? Promise.reject(fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.9:443')) : new Response(null, { status: 202 })));
    const error = await apiError(makeClient(server.fetch, { auth: keystoneAuth(huawei) }).stopServer(SERVER));
    expect(error).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', request: { method: 'POST', url: TOKENS } });
    expect(server.requests.every((r) => r.url === TOKENS)).toBe(true);
  });

  it('a service echoing the token and the password or secret in its errors: both cut out', async () => {
    for (const [options, secret] of [[huawei, PASSWORD], [{ authUrl: AUTH_URL, applicationCredentialId: 'ac-1', applicationCredentialSecret: APP_SECRET }, APP_SECRET]] as const) {
      const echo = (token: string | null) => json(409, { conflictingRequest: { code: 409, message: `token ${token} secret ${secret}` } });
      const error = await apiError(makeClient(cloud(echo).fetch, { auth: keystoneAuth(options) }).stopServer(SERVER));
      for (const shown of [error.message, JSON.stringify(error), inspect(error, { depth: 5 })]) {
        expect(shown).not.toMatch(/MIIE-token-1|Pa55-word|app-cred-secret/);
      }
      expect(error.message).toContain('[redacted]');
    }
  });

  it('shows itself as its kind only', () => {
    const auth = keystoneAuth({ ...huawei, totp: '123456' });
    for (const shown of [JSON.stringify(auth), String(auth), inspect(auth, { depth: 5 })]) {
      expect(shown).not.toMatch(/Pa55|123456|acme/);
      expect(shown).toContain('keystone');
    }
  });
});

describe('bad options, refused by name before anything is sent', () => {
  it.each([
    ['an http:// authUrl that is not loopback', { ...huawei, authUrl: 'http://iam.example.com/v3' }, 'auth.authUrl'],
    ['an authUrl with a query', { ...huawei, authUrl: `${AUTH_URL}?x=1` }, 'auth.authUrl'],
    ['an authUrl with user info', { ...huawei, authUrl: 'https://u:p@iam.example.com/v3' }, 'auth.authUrl'],
    ['an authUrl that is not a URL', { ...huawei, authUrl: 'iam' }, 'auth.authUrl'],
    ['no password and no application credential', { ...huawei, password: undefined }, 'auth.password'],
    ['a password with a line break', { ...huawei, password: 'a\nb' }, 'auth.password'],
    ['a username without its domain', { ...huawei, userDomainName: undefined }, 'auth.userDomainName'],
    ['both username and userId', { ...huawei, userId: 'u-1' }, 'auth.username'],
    ['no project', { ...huawei, projectName: undefined }, 'auth.projectId'],
    ['both projectId and projectName', { ...huawei, projectId: PROJECT }, 'auth.projectId'],
    ['a project name with a control character', { ...huawei, projectName: 'cn\u0000' }, 'auth.projectName'],
    ['an application credential with a password too', { authUrl: AUTH_URL, applicationCredentialId: 'ac', applicationCredentialSecret: APP_SECRET, password: PASSWORD }, 'auth.password'],
    ['an application credential with a project', { authUrl: AUTH_URL, applicationCredentialId: 'ac', applicationCredentialSecret: APP_SECRET, projectId: PROJECT }, 'auth.projectId'],
    ['an application credential without its secret', { authUrl: AUTH_URL, applicationCredentialId: 'ac' }, 'auth.applicationCredentialSecret'],
    ['an application credential by name without its user', { authUrl: AUTH_URL, applicationCredentialName: 'ci', applicationCredentialSecret: APP_SECRET }, 'auth.username'],
    ['a passcode that is not 6 to 8 digits', { ...huawei, totp: '12ab56' }, 'auth.totp'],
    ['a negative refreshMarginMs', { ...huawei, refreshMarginMs: -1 }, 'auth.refreshMarginMs'],
  ])('%s', (_label, options, field) => {
    const error = (() => {
      try {
        keystoneAuth(options as KeystoneAuthOptions);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EcsInputError);
    expect((error as EcsInputError).field).toBe(field);
    expect((error as EcsInputError).message).not.toMatch(/Pa55|app-cred|12ab56/);
  });
});

describe("Huawei's specifics", () => {
  it('region instead of authUrl: the region\'s IAM endpoint', async () => {
    const server = cloud();
    const { authUrl: _, ...rest } = huawei;
    await makeClient(server.fetch, { auth: keystoneAuth({ ...rest, region: 'cn-north-4' }) }).stopServer(SERVER);
    expect(server.requests[0]!.url).toBe(TOKENS);
  });

  it.each([
    ['both authUrl and region', { ...huawei, region: 'cn-north-4' }, 'auth.authUrl'],
    ['neither', { ...huawei, authUrl: undefined }, 'auth.authUrl'],
    ['a region outside the table', { ...huawei, authUrl: undefined, region: 'xx-nowhere-9' }, 'auth.region'],
  ])('%s: refused, naming it', (_label, options, field) => {
    expect(() => keystoneAuth(options as KeystoneAuthOptions)).toThrow(expect.objectContaining({ field }));
  });

  it('a PKI token of several kilobytes ("MIID..."): sent whole, never shown', async () => {
    const pki = `MIID${'AbCd+/xYz0'.repeat(800)}`;
    const server = cloud((token) => (token === pki ? json(409, { conflictingRequest: { code: 409, message: `token ${token}` } }) : new Response(null, { status: 500 })), () => tokenResponse(pki));
    const error = await apiError(makeClient(server.fetch, { auth: keystoneAuth(huawei) }).stopServer(SERVER));
    expect(server.requests[1]!.headers.get('x-auth-token')).toBe(pki);
    expect(error.message).toBe('token [redacted]');
  });
});

describe('the auth on its own', () => {
  const context = (server: ReturnType<typeof cloud>) => ({ fetch: server.fetch, signal: new AbortController().signal, registerSecret: () => {} });

  it('authorize sets X-Auth-Token on a Request; session gives the project and catalog, fetching once', async () => {
    const server = cloud();
    const auth = keystoneAuth(huawei);
    const session = await auth.session(context(server));
    expect(session).toMatchObject({ projectId: PROJECT, expiresAt: Date.parse('2026-12-02T11:00:00Z'), issuedAt: Date.parse('2026-12-02T10:00:00Z') });
    expect(session.catalog[0]).toMatchObject({ type: 'compute', endpoints: [{ interface: 'public', url: `https://ecs.cn-north-4.myhuaweicloud.com/v2.1/${PROJECT}` }] });
    const authorized = await auth.authorize(new Request('https://ecs.example.com/x'), context(server));
    expect(authorized.headers.get('x-auth-token')).toBe('MIIE-token-1');
    expect(JSON.stringify(session)).not.toContain('MIIE');
    expect(server.requests.filter((r) => r.url === TOKENS)).toHaveLength(1);
  });

  it.each([
    ['a body that is not JSON', new Response('<html>', { status: 201, headers: { 'X-Subject-Token': 'MIIE-x' } })],
    ['no expires_at', json(201, { token: { methods: ['password'] } }, { 'X-Subject-Token': 'MIIE-x' })],
    ['a token with a space', json(201, { token: { expires_at: '2026-12-02T11:00:00Z' } }, { 'X-Subject-Token': 'MIIE x' })],
  ])('a 201 with %s: a typed error (no token taken), the token text not shown', async (_label, answer) => {
    const server = cloud(undefined, () => answer.clone());
    const error = await apiError(makeClient(server.fetch, { auth: keystoneAuth(huawei) }).stopServer(SERVER));
    expect(error).toMatchObject({ status: 201, kind: 'http', message: 'The token request answered 201 without a token (X-Subject-Token and token.expires_at)' });
    expect(JSON.stringify(error)).not.toContain('MIIE');
  });

  it('without issued_at, the life is taken from now: a token fetched again before it expires', async () => {
    const time = clock(Date.now());
    const server = cloud(undefined, (n) => json(201, { token: { expires_at: new Date(Date.now() + 10_000).toISOString() } }, { 'X-Subject-Token': `MIIE-token-${n}` }));
    const client = makeClient(server.fetch, { auth: keystoneAuth({ ...huawei, now: time.now }) });
    await client.stopServer(SERVER);
    time.state.now += 6_000;
    await client.stopServer(SERVER);
    expect(server.requests.filter((r) => r.url === TOKENS)).toHaveLength(2);
  });
});
