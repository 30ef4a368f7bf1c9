/**
 * One sweep for credentials: every error kind the client can produce (input errors, every API
 * error shape of the spec, network, timeout, abort, wait failures), for both kinds of auth, and
 * every CLI failure path, rendered every way a user or a log might see it (`message`, `String`,
 * `JSON.stringify`, `util.inspect` with hidden properties at any depth, `stack`, stdout, stderr).
 * No token, SK, security token or request signature may appear, whole or in part.
 */
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { akskAuth, createEcsClient, EcsApiError, type EcsAuth, type EcsClient, type EcsClientOptions, EcsInputError, tokenAuth } from '../../src/index.js';
import { main } from '../../src/cli.js';
import { faults, refusedUrl, startFaultServer } from '../support/fault-server.js';
import { responseExamples } from '../support/spec.js';
import { ENDPOINT, PROJECT, SERVER } from '../support/fixtures.js';

// Distinctive, random-looking secrets, so that even a fragment is unmistakable. The AK is public.
const TOKEN = 'MIIt0kenQ7vXz2LkP9rWs4Yb8Nc1Hd6Jf3Tg';
const SK = 'sK5ecretW7mQ2xZ9pL4vB8nR1tY6uI3oE0aSd';
const STS = 'sTs9ecretA1bC2dE3fG4hI5jK6lM7nO8pQ9rU';
const AK = 'AKPUBLICSWEEP000001';
const SECRETS: Record<string, string> = { token: TOKEN, sk: SK, 'security token': STS };
const WINDOW = 12;

/** Everything swept, and every leak found. */
const sweep = { artefacts: 0, cases: 0, leaks: [] as string[] };

afterAll(() => {
  console.log(`secrets: ${sweep.artefacts} artefacts swept from ${sweep.cases} failure cases; secrets found: ${sweep.leaks.length}`);
  for (const leak of sweep.leaks.slice(0, 20)) console.log(`  LEAK ${leak}`);
});

/** Checks one text for every secret (and any 12-character piece of one) and the signatures sent. */
function sweepText(label: string, text: string, signatures: Iterable<string>): void {
  sweep.artefacts++;
  for (const [name, secret] of Object.entries(SECRETS)) {
    if (text.includes(secret)) {
      sweep.leaks.push(`${label}: the ${name}`);
      continue;
    }
    for (let at = 0; at + WINDOW <= secret.length; at++) {
      if (text.includes(secret.slice(at, at + WINDOW))) {
        sweep.leaks.push(`${label}: part of the ${name} (${secret.slice(at, at + WINDOW)})`);
        break;
      }
    }
  }
  for (const signature of signatures) {
    if ([signature, signature.slice(0, 16), signature.slice(-16)].some((piece) => text.includes(piece))) {
      sweep.leaks.push(`${label}: the request signature`);
    }
  }
}

/** Every way an error (or any value) is shown: message, String, JSON, inspect (hidden, any depth), stack. */
function renderings(value: unknown): Record<string, string> {
  const error = value as Partial<Error> | null;
  const out: Record<string, string> = {
    String: safe(() => String(value)),
    JSON: safe(() => JSON.stringify(value) ?? ''),
    inspect: safe(() => inspect(value, { depth: Infinity, showHidden: true })),
    'inspect (no custom)': safe(() => inspect(value, { depth: Infinity, showHidden: true, customInspect: false })),
  };
  if (typeof error?.message === 'string') out.message = error.message;
  if (typeof error?.stack === 'string') out.stack = error.stack;
  return out;
}
const safe = (render: () => string) => {
  try {
    return render();
  } catch (error) {
    return `<render failed: ${String(error)}>`;
  }
};

function sweepValue(label: string, value: unknown, signatures: Iterable<string>) {
  for (const [how, text] of Object.entries(renderings(value))) sweepText(`${label} [${how}]`, text, signatures);
}

// ---------------------------------------------------------------------------------------------
// The library

const auths: Record<string, () => EcsAuth> = {
  token: () => tokenAuth(TOKEN),
  'token provider': () => tokenAuth(async () => TOKEN),
  'AK/SK': () => akskAuth({ ak: AK, sk: SK }),
  'AK/SK + security token': () => akskAuth({ ak: AK, sk: SK, securityToken: STS }),
};

type Handler = (request: Request, call: number) => Response | Promise<Response>;

/** A fetch that notes the signatures it was given to send. */
function capture(handler: Handler) {
  const signatures = new Set<string>();
  let calls = 0;
  return {
    signatures,
    fetch: async (request: Request) => {
      const signature = /Signature=([0-9a-f]{64})/.exec(request.headers.get('authorization') ?? '')?.[1];
      if (signature) signatures.add(signature);
      return handler(request, ++calls);
    },
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const hang = (request: Request) =>
  new Promise<Response>((_, reject) => {
    if (request.signal.aborted) reject(request.signal.reason);
    request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
  });
const server = (status: string) => ({ server: { id: SERVER, name: 'vm', status, 'OS-EXT-STS:vm_state': 'active', 'OS-EXT-STS:task_state': null } });
/** Every header sent, as an echoing server or proxy would quote them. */
const quoteHeaders = (request: Request) => [...request.headers].map(([k, v]) => `${k}: ${v}`).join('; ');

interface LibraryCase {
  name: string;
  handler?: Handler;
  run: (client: (extra?: Partial<EcsClientOptions>) => EcsClient) => Promise<unknown>;
}

const stopExamples = responseExamples.filter((e) => e.operationId.startsWith('stopServer') && /^[45d]/.test(e.status));
const showExamples = responseExamples.filter((e) => e.operationId.startsWith('showServer') && /^[45d]/.test(e.status));

const libraryCases: LibraryCase[] = [
  // Input errors of a client that holds the secrets.
  ...(
    [
      ['serverId ..', (c) => c().stopServer('..')],
      ['serverId with a newline', (c) => c().stopServer(`${SERVER}\n`)],
      ['type', (c) => c().stopServer(SERVER, { type: 'soft' as 'SOFT' })],
      ['requestId', (c) => c().stopServer(SERVER, { requestId: 'nope' })],
      ['wait.timeoutMs', (c) => c().stopServer(SERVER, { wait: { timeoutMs: 0 } })],
      ['signal', (c) => c().stopServer(SERVER, { signal: {} as AbortSignal })],
      ['options null', (c) => c().stopServer(SERVER, null as unknown as object)],
      ['getServer serverId', (c) => c().getServer('')],
      ['endpoint', async (c) => c({ endpoint: 'http://ecs.example.com' })],
      ['projectId', async (c) => c({ projectId: 'x' })],
      ['microversion', async (c) => c({ microversion: 'two' })],
      ['timeoutMs', async (c) => c({ timeoutMs: 0 })],
      ['retry', async (c) => c({ retry: 0 as unknown as false })],
      ['userAgent', async (c) => c({ userAgent: 'a\nb' })],
      ['raw path parameter', (c) => c().raw.POST('/v2.1/{project_id}/servers/{server_id}/action', { params: { path: { project_id: PROJECT, server_id: '' } }, body: { 'os-stop': {} } })],
    ] as Array<[string, LibraryCase['run']]>
  ).map(([name, run]) => ({ name: `input: ${name}`, run })),
  // Every API error of the spec, on the stop and on the server read.
  ...stopExamples.map((e) => ({
    name: `api: stop ${e.status} ${e.name}`,
    handler: () => json(e.status === 'default' ? 599 : Number(e.status), e.value, { 'X-Openstack-Request-Id': 'req-1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b', 'Retry-After': '7' }),
    run: (c: (extra?: Partial<EcsClientOptions>) => EcsClient) => c().stopServer(SERVER),
  })),
  ...showExamples.map((e) => ({
    name: `api: getServer ${e.status} ${e.name}`,
    handler: () => json(e.status === 'default' ? 599 : Number(e.status), e.value),
    run: (c: (extra?: Partial<EcsClientOptions>) => EcsClient) => c().getServer(SERVER),
  })),
  { name: 'api: 503 with an empty body', handler: () => new Response(null, { status: 503 }), run: (c) => c().stopServer(SERVER) },
  { name: 'api: 500 with HTML', handler: () => new Response('<html>oops</html>', { status: 500 }), run: (c) => c().stopServer(SERVER) },
  { name: 'api: 302 elsewhere', handler: () => new Response(null, { status: 302, headers: { Location: 'https://evil.example.com/' } }), run: (c) => c().stopServer(SERVER) },
  {
    name: 'api: 429 retried, then given up',
    handler: () => json(429, { overLimit: { code: 429, message: 'slow down' } }, { 'Retry-After': '0' }),
    run: (c) => c({ retry: { retries: 2, baseDelayMs: 0, maxDelayMs: 0 } }).stopServer(SERVER),
  },
  // No response.
  {
    name: 'network: connection reset',
    handler: () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    },
    run: (c) => c().stopServer(SERVER),
  },
  {
    name: 'network: refused, retried',
    handler: () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    },
    run: (c) => c({ retry: { retries: 2, baseDelayMs: 0, maxDelayMs: 0 } }).stopServer(SERVER),
  },
  { name: 'timeout', handler: hang, run: (c) => c({ timeoutMs: 20 }).stopServer(SERVER) },
  {
    name: 'timeout while reading an error body',
    handler: () => new Response(new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"x":')) }), { status: 500 }),
    run: (c) => c({ timeoutMs: 20 }).stopServer(SERVER),
  },
  // Aborted by the caller.
  {
    name: 'abort during the request',
    handler: hang,
    run: (c) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 5);
      return c().stopServer(SERVER, { signal: controller.signal });
    },
  },
  {
    name: 'abort with a reason, before the request',
    handler: hang,
    run: (c) => c().stopServer(SERVER, { signal: AbortSignal.abort(new Error('shutting down')) }),
  },
  {
    name: 'abort while waiting for SHUTOFF',
    handler: (request) => (request.method === 'GET' ? json(200, server('ACTIVE')) : new Response(null, { status: 202 })),
    run: (c) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 15);
      return c().stopServer(SERVER, { wait: { intervalMs: 5 }, signal: controller.signal });
    },
  },
  // The stop was accepted but the wait failed.
  ...(
    [
      ['error-state', () => json(200, server('ERROR'))],
      ['not-found', () => json(404, { itemNotFound: { code: 404, message: `Instance ${SERVER} could not be found.` } })],
      ['timeout', () => json(200, server('ACTIVE'))],
    ] as Array<[string, () => Response]>
  ).map(([reason, read]) => ({
    name: `wait: ${reason}`,
    handler: (request: Request) => (request.method === 'GET' ? read() : new Response(null, { status: 202 })),
    run: (c: (extra?: Partial<EcsClientOptions>) => EcsClient) => c().stopServer(SERVER, { wait: { timeoutMs: 20, intervalMs: 5 } }),
  })),
  // Successes are shown too (logged results, the client object).
  {
    name: 'result: stop with wait',
    handler: (request) => (request.method === 'GET' ? json(200, server('SHUTOFF')) : new Response(null, { status: 202 })),
    run: (c) => c().stopServer(SERVER, { wait: true }),
  },
  { name: 'result: already stopped', handler: () => json(409, { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${SERVER} while it is in vm_state stopped` } }), run: (c) => c().stopServer(SERVER, { ifAlreadyStopped: 'ok' }) },
  { name: 'the client object', run: async (c) => c() },
  // A hostile or debugging server that quotes the credentials it was sent.
  {
    name: 'hostile: a Nova fault quoting every header',
    handler: (request) => json(401, { unauthorized: { code: 401, message: `bad credentials: ${quoteHeaders(request)}` } }),
    run: (c) => c().stopServer(SERVER),
  },
  {
    name: 'hostile: a gateway error quoting every header',
    handler: (request) => json(401, { error_code: 'APIGW.0301', error_msg: quoteHeaders(request), request_id: request.headers.get('x-auth-token') ?? 'x' }),
    run: (c) => c().stopServer(SERVER),
  },
  {
    name: 'hostile: the credentials in the HTTP reason phrase, no body',
    handler: (request) => new Response(null, { status: 401, statusText: `Bad ${request.headers.get('x-auth-token') ?? ''} ${request.headers.get('x-security-token') ?? ''} ${/Signature=(\w+)/.exec(request.headers.get('authorization') ?? '')?.[1] ?? ''}` }),
    run: (c) => c().stopServer(SERVER),
  },
  {
    name: 'wait: timeout, reading a server whose status, name and fault quote the credentials',
    handler: (request) =>
      request.method === 'GET'
        ? json(200, { server: { id: SERVER, name: quoteHeaders(request), status: `X ${quoteHeaders(request)}`, fault: { message: quoteHeaders(request) } } })
        : new Response(null, { status: 202 }),
    run: (c) => c().stopServer(SERVER, { wait: { timeoutMs: 30, intervalMs: 5 } }),
  },
  {
    name: 'wait: error-state, reading a server whose name and fault quote the credentials',
    handler: (request) =>
      request.method === 'GET' ? json(200, { server: { id: SERVER, name: quoteHeaders(request), status: 'ERROR', fault: { message: quoteHeaders(request) } } }) : new Response(null, { status: 202 }),
    run: (c) => c().stopServer(SERVER, { wait: true }),
  },
  {
    name: 'hostile: an ECS error quoting every header, and the token as request ID header',
    handler: (request) => json(403, { error: { code: 'Ecs.0001', message: quoteHeaders(request) } }, { 'X-Request-Id': request.headers.get('x-auth-token') ?? request.headers.get('x-security-token') ?? 'x' }),
    run: (c) => c().stopServer(SERVER),
  },
];

describe('the library: no secret in any error, result or object', () => {
  for (const [authName, makeAuth] of Object.entries(auths)) {
    it(`with ${authName}: ${libraryCases.length} cases`, { timeout: 60_000 }, async () => {
      const leaksBefore = sweep.leaks.length;
      for (const testCase of libraryCases) {
        const f = capture(testCase.handler ?? (() => new Response(null, { status: 202 })));
        const client = (extra: Partial<EcsClientOptions> = {}) =>
          createEcsClient({ endpoint: ENDPOINT, projectId: PROJECT, auth: makeAuth(), retry: false, fetch: f.fetch, ...extra });
        let outcome: unknown;
        try {
          outcome = await testCase.run(client);
        } catch (error) {
          outcome = error;
        }
        sweep.cases++;
        if (testCase.name.startsWith('api:') || testCase.name.startsWith('hostile:')) expect(outcome, testCase.name).toBeInstanceOf(EcsApiError);
        if (testCase.name.startsWith('input:')) expect(outcome, testCase.name).toBeInstanceOf(EcsInputError);
        if (testCase.name.startsWith('wait:')) expect((outcome as Error).name, testCase.name).toBe('EcsWaitError');
        sweepValue(`${authName} / ${testCase.name}`, outcome, f.signatures);
        if (authName.startsWith('AK/SK') && testCase.handler && !testCase.name.startsWith('input:') && !testCase.name.includes('before the request')) {
          expect(f.signatures.size, `${testCase.name}: a signature was captured`).toBeGreaterThan(0);
        }
      }
      // The auth objects themselves.
      sweepValue(`${authName} / the auth object`, makeAuth(), []);
      expect(sweep.leaks.slice(leaksBefore)).toEqual([]);
    });
  }

  it('auth helpers refuse bad credentials without quoting them', () => {
    const attempts: Array<[string, () => unknown]> = [
      ['token with CRLF', () => tokenAuth(`${TOKEN}\r\nX-Evil: 1`)],
      ['token with a leading space', () => tokenAuth(` ${TOKEN}`)],
      ['token with a non-ASCII letter', () => tokenAuth(`${TOKEN}é`)],
      ['SK with NUL', () => akskAuth({ ak: AK, sk: `${SK}\u0000` })],
      ['SK with a space', () => akskAuth({ ak: AK, sk: `${SK} x` })],
      ['security token with a newline', () => akskAuth({ ak: AK, sk: SK, securityToken: `${STS}\n` })],
      ['AK with a newline (SK in the same object)', () => akskAuth({ ak: `${AK}\n`, sk: SK })],
      ['credentials as a string', () => akskAuth(SK as unknown as { ak: string; sk: string })],
      ['bad signedHost', () => akskAuth({ ak: AK, sk: SK, securityToken: STS }, { signedHost: `${SK}/` })],
    ];
    const before = sweep.leaks.length;
    for (const [name, attempt] of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      sweep.cases++;
      expect(error, name).toBeInstanceOf(EcsInputError);
      sweepValue(`auth helper / ${name}`, error, []);
    }
    // A token provider returning a bad token fails the call the same way.
    expect(sweep.leaks.slice(before)).toEqual([]);
  });

  it('a token provider that returns a bad token, and one that throws', async () => {
    const before = sweep.leaks.length;
    for (const [name, provider] of [
      ['returns CRLF', () => `${TOKEN}\r\n`],
      ['throws quoting nothing', () => {
        throw new Error('vault unavailable');
      }],
      ['throws quoting the token it fetched', () => {
        throw new Error(`refresh failed, old token ${TOKEN}, secret key ${SK}`);
      }],
      ['rejects with the secret as the reason', () => Promise.reject(SK)],
    ] as Array<[string, () => string]>) {
      const f = capture(() => new Response(null, { status: 202 }));
      const error = await createEcsClient({ endpoint: ENDPOINT, projectId: PROJECT, auth: tokenAuth(provider), fetch: f.fetch })
        .stopServer(SERVER)
        .then(() => undefined, (e: unknown) => e);
      sweep.cases++;
      expect(error, name).toBeInstanceOf(Error);
      sweepValue(`token provider / ${name}`, error, []);
    }
    expect(sweep.leaks.slice(before)).toEqual([]);
  });

  it('over real sockets (undici errors, at any depth): refused, reset, not HTTP, silence', async () => {
    const before = sweep.leaks.length;
    const s = await startFaultServer();
    try {
      const refused = await refusedUrl();
      const cases: Array<[string, string, (() => void) | undefined]> = [
        ['refused', refused, undefined],
        ['reset', s.url, () => s.queue(faults.resetBeforeResponse())],
        ['not HTTP', s.url, () => s.queue(faults.rawBytes('garbage\r\n\r\n'))],
        ['silence', s.url, () => s.queue(faults.silence())],
        ['reset mid-body', s.url, () => s.queue(faults.resetMidResponse(500))],
      ];
      for (const [authName, makeAuth] of Object.entries(auths)) {
        for (const [name, url, arm] of cases) {
          arm?.();
          const error = await createEcsClient({ endpoint: url, projectId: PROJECT, auth: makeAuth(), timeoutMs: 100, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 5 } })
            .stopServer(SERVER)
            .then(() => undefined, (e: unknown) => e);
          sweep.cases++;
          expect(error, name).toBeInstanceOf(EcsApiError);
          // The signature is what the server received.
          const signatures = s.requests.map((r) => /Signature=([0-9a-f]{64})/.exec(r.headers.authorization ?? '')?.[1]).filter((x): x is string => !!x);
          sweepValue(`real socket, ${authName} / ${name}`, error, signatures);
        }
      }
      expect(s.requests.some((r) => r.headers['x-auth-token'] === TOKEN)).toBe(true);
      expect(s.requests.some((r) => r.headers['x-security-token'] === STS)).toBe(true);
    } finally {
      await s.close();
    }
    expect(sweep.leaks.slice(before)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The CLI

type Env = Record<string, string | undefined>;
const CLI_CREDS: Record<string, Env> = {
  token: { ECS_AUTH_TOKEN: TOKEN },
  'AK/SK + security token': { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: STS },
};
const withPlace = (creds: Env): Env => ({ ...creds, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, HUAWEICLOUD_SDK_REGION: 'cn-north-4' });

interface CliCase {
  name: string;
  argv: string[];
  env?: (creds: Env) => Env;
  respond?: Handler;
}

const cliCases: CliCase[] = [
  // Usage: the command line and the environment, including secrets pasted where they do not belong.
  { name: 'no server id', argv: [] },
  { name: 'a secret as the server id', argv: [TOKEN] },
  { name: 'a secret with a slash as the server id', argv: [`${SK}/x`] },
  { name: 'two server ids', argv: [SERVER, SK] },
  { name: '--token=<secret>', argv: [SERVER, `--token=${TOKEN}`] },
  { name: '--sk <secret>', argv: [SERVER, '--sk', SK] },
  { name: '-<secret>', argv: [SERVER, `-${TOKEN}`] },
  { name: '-h<secret>', argv: [SERVER, `-h${STS}`] },
  { name: '--json=<secret>', argv: [SERVER, `--json=${STS}`] },
  { name: '--type <secret>', argv: [SERVER, '--type', TOKEN] },
  { name: '--api-version <secret>', argv: [SERVER, '--api-version', SK] },
  { name: '--timeout-ms <secret>', argv: [SERVER, '--timeout-ms', STS] },
  { name: '--project-id <secret>', argv: [SERVER, '--project-id', TOKEN] },
  { name: '--endpoint <secret>', argv: [SERVER, '--endpoint', SK] },
  { name: '--endpoint with the secret as user info', argv: [SERVER, '--endpoint', `https://user:${SK}@ecs.example.com`] },
  { name: '--endpoint with the secret in the query', argv: [SERVER, '--endpoint', `https://ecs.example.com/?token=${TOKEN}`] },
  { name: '--region <secret>', argv: [SERVER, '--region', STS] },
  { name: '--microversion <secret>', argv: [SERVER, '--microversion', TOKEN] },
  { name: '--endpoint and --region', argv: [SERVER, '--endpoint', 'https://ecs.example.com', '--region', 'cn-north-4'] },
  { name: 'no credentials', argv: [SERVER], env: () => withPlace({}) },
  { name: 'both kinds of credentials', argv: [SERVER], env: () => withPlace({ ...CLI_CREDS.token, ...CLI_CREDS['AK/SK + security token'] }) },
  { name: 'SK without AK', argv: [SERVER], env: () => withPlace({ HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: STS }) },
  { name: 'AK without SK', argv: [SERVER], env: () => withPlace({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SECURITY_TOKEN: STS }) },
  { name: 'a token with CRLF', argv: [SERVER], env: () => withPlace({ ECS_AUTH_TOKEN: `${TOKEN}\r\nX-Evil: 1` }) },
  { name: 'an SK with a space', argv: [SERVER], env: () => withPlace({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `${SK} x` }) },
  { name: 'a security token with a newline', argv: [SERVER], env: () => withPlace({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: `${STS}\n` }) },
  { name: 'the secret as project id (env)', argv: [SERVER], env: (c) => ({ ...withPlace(c), HUAWEICLOUD_SDK_PROJECT_ID: TOKEN }) },
  { name: 'the secret as ECS_ENDPOINT', argv: [SERVER], env: (c) => ({ ...withPlace(c), HUAWEICLOUD_SDK_REGION: undefined, ECS_ENDPOINT: SK }) },
  { name: 'the secret as region (env)', argv: [SERVER], env: (c) => ({ ...withPlace(c), HUAWEICLOUD_SDK_REGION: STS }) },
  { name: 'no project id', argv: [SERVER], env: (c) => ({ ...withPlace(c), HUAWEICLOUD_SDK_PROJECT_ID: undefined }) },
  { name: 'no endpoint', argv: [SERVER], env: (c) => ({ ...withPlace(c), HUAWEICLOUD_SDK_REGION: undefined }) },
  // Every error the API can answer.
  ...stopExamples.map((e) => ({
    name: `api: ${e.status} ${e.name}`,
    argv: [SERVER],
    // Retry-After: 0 keeps the CLI's retries of 429 and 503 (500 ms backoff otherwise) quick.
    respond: () => json(e.status === 'default' ? 599 : Number(e.status), e.value, { 'X-Openstack-Request-Id': 'req-1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b', 'Retry-After': '0' }),
  })),
  { name: 'api: 503 empty, retried then given up', argv: [SERVER], respond: () => new Response(null, { status: 503, headers: { 'Retry-After': '0' } }) },
  { name: 'api: 302 elsewhere', argv: [SERVER], respond: () => new Response(null, { status: 302, headers: { Location: 'https://evil.example.com/' } }) },
  // No answer.
  {
    name: 'network: reset',
    argv: [SERVER],
    respond: () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    },
  },
  { name: 'timeout', argv: [SERVER, '--timeout-ms', '20'], respond: hang },
  { name: 'unexpected: fetch returns nonsense', argv: [SERVER], respond: async () => 'nonsense' as unknown as Response },
  // Hostile servers and fetches that quote what they were sent.
  { name: 'hostile: a Nova fault quoting every header', argv: [SERVER], respond: (r) => json(401, { unauthorized: { code: 401, message: `bad credentials: ${quoteHeaders(r)}` } }) },
  {
    name: 'hostile: the headers quoted across the 2,000-character cut of the message',
    argv: [SERVER],
    respond: (r) => {
      const token = r.headers.get('x-auth-token') ?? r.headers.get('x-security-token') ?? '';
      // The secret straddles the cut of long messages, so a truncation before redaction would show its start.
      return json(401, { unauthorized: { code: 401, message: `${'x'.repeat(2_000 - 20)}${token} ${quoteHeaders(r)}` } });
    },
  },
  { name: 'hostile: a gateway error quoting every header', argv: [SERVER], respond: (r) => json(401, { error_code: 'APIGW.0301', error_msg: quoteHeaders(r), request_id: r.headers.get('x-auth-token') ?? 'x' }) },
  { name: 'hostile: the token as request ID header', argv: [SERVER], respond: (r) => json(403, { error: { code: 'Ecs.0001', message: 'no' } }, { 'X-Openstack-Request-Id': r.headers.get('x-auth-token') ?? r.headers.get('x-security-token') ?? 'x' }) },
  {
    name: 'hostile: a fetch error quoting every header',
    argv: [SERVER],
    respond: (r) => {
      throw new Error(`refused: ${quoteHeaders(r)}`);
    },
  },
  {
    name: 'hostile: a fetch error quoting every header in its cause',
    argv: [SERVER],
    respond: (r) => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(`socket closed: ${quoteHeaders(r)}`), { code: 'UND_ERR_SOCKET' }) });
    },
  },
];

describe('the CLI: no secret on stdout or stderr, for any failure', () => {
  for (const [credName, creds] of Object.entries(CLI_CREDS)) {
    it(`with ${credName}: ${cliCases.length} failures, text and --json`, { timeout: 60_000 }, async () => {
      const before = sweep.leaks.length;
      for (const testCase of cliCases) {
        for (const extra of [[], ['--json']]) {
          const signatures = new Set<string>();
          const stdout: string[] = [];
          const stderr: string[] = [];
          const code = await main([...testCase.argv, ...extra], (testCase.env ?? withPlace)(creds), {
            stdout: (line) => stdout.push(line),
            stderr: (line) => stderr.push(line),
            fetch: async (request) => {
              const signature = /Signature=([0-9a-f]{64})/.exec(request.headers.get('authorization') ?? '')?.[1];
              if (signature) signatures.add(signature);
              return (testCase.respond ?? (() => new Response(null, { status: 202 })))(request, 1);
            },
          });
          sweep.cases++;
          const label = `CLI ${credName} / ${testCase.name}${extra.length ? ' --json' : ''}`;
          expect(code, label).not.toBe(0);
          expect(stdout.length + stderr.length, label).toBeGreaterThan(0);
          sweepText(`${label} [stdout]`, stdout.join('\n'), signatures);
          sweepText(`${label} [stderr]`, stderr.join('\n'), signatures);
        }
      }
      expect(sweep.leaks.slice(before)).toEqual([]);
    });
  }
});

describe('the CLI: a secret pasted on the command line', () => {
  // `ecs-stop <id> --<SK>`: an SK of 40 letters and digits (Huawei's shape) looks like a safe
  // option name, which "unknown option '--<SK>'" would quote.
  it('as a long option (--<SK>) is not shown', async () => {
    for (const extra of [[], ['--json']]) {
      const out: string[] = [];
      await main([SERVER, `--${SK}`, ...extra], withPlace(CLI_CREDS['AK/SK + security token']!), { stdout: (l) => out.push(l), stderr: (l) => out.push(l) });
      expect(out.join('\n')).not.toContain(SK);
    }
  });
});

describe('the whole sweep', () => {
  it('swept every artefact and found no secret', () => {
    expect(sweep.artefacts).toBeGreaterThan(1_000);
    expect(sweep.leaks).toEqual([]);
  });
});
