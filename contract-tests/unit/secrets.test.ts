/**
 * The secret sweep (README, "Secrets stay secret"): one table of attacks on the library, one on
 * the CLI. Each row plants the secrets where a server or the runtime could echo them, and every
 * outcome is looked at every way a user or a log sees it; no secret may show, whole or any 12
 * characters of it. What needs a real socket or a process is in integration/secrets.test.ts.
 *
 * The secrets: a token, an SK, a security token, the request signature as sent, a password an auth
 * of one's own registers (it fetches tokens with it) and the tokens it fetched, the text of a failing
 * token provider's error, and secrets pasted on the CLI's command line.
 *
 * Where they are planted: the error body of each of the four shapes (and ECS's Ecs.1000 wrapping a
 * Nova fault), the request-ID headers and the gateway's request_id, the HTTP reason phrase, a
 * Location, a token provider's error, an input refused, a server read while waiting.
 *
 * How an outcome is looked at (`renderings` in support/fixtures.ts): `message`, `String()`,
 * `JSON.stringify()`, `util.inspect()` with hidden properties at any depth (with and without custom
 * inspection), `stack`, and all of these for every error of the `cause` chain. For the CLI: stdout,
 * stderr and the --wait progress line, in text and --json.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import {
  akskAuth,
  createEcsClient,
  EcsApiError,
  EcsInputError,
  EcsWaitError,
  signRequest,
  tokenAuth,
  type EcsAuth,
  type EcsClient,
  type EcsClientOptions,
} from '../../src/index.js';
import {
  credentialsCarried,
  ENDPOINT,
  fakeFetch,
  fetchFailed,
  json,
  leaksIn,
  passwordAuth,
  PROJECT,
  renderings,
  SERVER,
  serverBody,
  silentFetch,
  SWEEP_AK,
  SWEEP_SECRETS as S,
} from '../support/fixtures.js';

const accepted = () => new Response(null, { status: 202 });
const IAM = 'https://iam.example.com/v3/auth/tokens';
/** The tokens the IAM stand-in issues: secrets as well, found in the requests that carry them. */
const issuedToken = (n: number) => `iSsued${n}T0kenQm7Xw2Lp9Zr4Vb8Nc`;

/** Adds the credentials found to the secrets looked for, unless already there. */
function note(secrets: Record<string, string>, found: Record<string, string>): void {
  const known = new Set(Object.values(secrets));
  for (const [name, value] of Object.entries(found)) if (!known.has(value)) secrets[name] = value;
}

/** What a hostile or debugging server echoes: the secrets it was told, and every header it was sent. */
const echoOf = (request: Request, told: string[]) => [...told, ...[...request.headers].map(([name, value]) => `${name}: ${value}`)].join('; ');

// ---------------------------------------------------------------------------------------------
// The library

interface World {
  name: string;
  auth: () => EcsAuth;
  /** What a server knows besides the request it got: the secrets the auth registered. */
  told: string[];
}

const worlds: World[] = [
  { name: 'token', auth: () => tokenAuth(S.token), told: [] },
  { name: 'token provider', auth: () => tokenAuth(async () => S.token), told: [] },
  { name: 'AK/SK', auth: () => akskAuth({ ak: SWEEP_AK, sk: S.sk }), told: [] },
  { name: 'AK/SK + security token', auth: () => akskAuth({ ak: SWEEP_AK, sk: S.sk, securityToken: S['security token'] }), told: [] },
  { name: 'own auth (a password fetches tokens)', auth: () => passwordAuth(IAM), told: [S.password] },
];
const AKSK = ['AK/SK', 'AK/SK + security token'];

type Server = (request: Request, echo: string, echoes: string[]) => Response | Promise<Response>;

interface LibraryAttack {
  attack: string;
  /** Answers every request to ECS (default 202); `echo` is what it could quote, `echoes` all so far. */
  server?: Server;
  /** The call (default: stopServer); `client` builds the client on the world's auth. */
  run?: (client: (extra?: Partial<EcsClientOptions>) => EcsClient, world: World) => unknown;
  options?: Partial<EcsClientOptions>;
  /** An auth of the row's own instead of the world's. */
  auth?: () => EcsAuth;
  /** The worlds it is run in (default: all). */
  worlds?: string[];
  /**
   * What the call must end in: `result`, `input` (EcsInputError), `wait:<reason>` (EcsWaitError),
   * `abort`, or the `kind` of an EcsApiError.
   */
  outcome: string;
  /** What the error's message (a result's request ID) still says: the server's text is kept, the secrets cut out. */
  says?: RegExp;
}

/** The four error shapes and ECS's wrapped Nova fault, each quoting what it was sent. */
const bodies: LibraryAttack[] = [
  {
    attack: 'a Nova fault (404 itemNotFound) quotes them in its message',
    server: (_, echo) => json(404, { itemNotFound: { code: 404, message: `no such server; you sent ${echo}` } }),
    outcome: 'itemNotFound',
    says: /^no such server; you sent .*\[redacted\]/,
  },
  {
    attack: 'an ECS error (403) quotes them in its code and its message',
    server: (_, echo) => json(403, { error: { code: `Ecs.0003 ${echo}`, message: `denied: ${echo}` } }),
    outcome: 'ecs',
    says: /^denied: .*\[redacted\]/,
  },
  {
    attack: "ECS's Ecs.1000 wraps a Nova fault (as a string) that quotes them",
    server: (_, echo) => json(400, { error: { code: 'Ecs.1000', message: JSON.stringify({ conflictingRequest: { code: 409, message: `conflict: ${echo}` } }) } }),
    outcome: 'ecs',
    says: /^conflict: .*\[redacted\]/,
  },
  {
    attack: "an identity error (keystonemiddleware's 401) quotes them in its title, its message and WWW-Authenticate",
    server: (_, echo) => json(401, { error: { code: 401, title: echo, message: `bad token: ${echo}` } }, { 'WWW-Authenticate': `Keystone uri="https://iam.example.com/v3" ${echo}` }),
    outcome: 'identity',
    says: /^bad token: .*\[redacted\]/,
  },
  {
    attack: 'a gateway error (APIGW.0301) quotes them in error_code, error_msg and request_id',
    server: (_, echo) => json(401, { error_code: `APIGW.0301 ${echo}`, error_msg: `verify signature fail: ${echo}`, request_id: echo }),
    outcome: 'gateway',
    says: /^verify signature fail: .*\[redacted\]/,
  },
];

const libraryAttacks: LibraryAttack[] = [
  // The server's answer quotes what it was sent (and what the auth registered).
  ...bodies,
  ...['X-OpenStack-Request-Id', 'X-Compute-Request-Id', 'X-Request-Id'].map(
    (header): LibraryAttack => ({
      attack: `the ${header} header (the request ID) quotes them`,
      server: (_, echo) => json(404, { itemNotFound: { code: 404, message: 'gone' } }, { [header]: `req-${echo}` }),
      outcome: 'itemNotFound',
    }),
  ),
  {
    attack: 'no body; the HTTP reason phrase quotes them',
    server: (_, echo) => new Response(null, { status: 401, statusText: `Unauthorized ${echo}` }),
    outcome: 'http',
    says: /^HTTP 401 Unauthorized .*\[redacted\]/,
  },
  {
    attack: 'an HTML error page quoting them, and a reason phrase quoting them',
    server: (_, echo) => new Response(`<html><body>${echo}</body></html>`, { status: 500, statusText: `Oops ${echo}`, headers: { 'Content-Type': 'text/html' } }),
    outcome: 'http',
  },
  {
    attack: 'a server read answered 200 with no server in it, its request ID quoting them',
    server: (_, echo) => json(200, { notAServer: echo }, { 'X-OpenStack-Request-Id': echo }),
    run: (client) => client().getServer(SERVER),
    outcome: 'http',
  },
  {
    attack: 'a 429 quoting them, retried twice, then given up',
    server: (_, echo) => json(429, { overLimit: { code: 429, message: `slow down: ${echo}`, retryAfter: '0' } }, { 'Retry-After': '0' }),
    options: { retry: { retries: 2, baseDelayMs: 0, maxDelayMs: 0 } },
    outcome: 'overLimit',
    says: /^slow down: .*\[redacted\]/,
  },
  {
    attack: 'a redirect (not followed) whose Location quotes them',
    server: (_, echo) => new Response(null, { status: 302, headers: { Location: `https://evil.example.com/?${encodeURIComponent(echo)}` } }),
    outcome: 'http',
  },
  {
    attack: 'a 401, and after the auth refreshed its token (onUnauthorized), a 401 quoting the old and the new one',
    server: (_, _echo, echoes) => json(401, { unauthorized: { code: 401, message: `expired: ${echoes.join(' / then: ')}` } }),
    outcome: 'unauthorized',
    says: /^expired: .*\[redacted\]/,
  },
  {
    attack: 'a gateway that holds the SK (it verifies signatures with it) quotes the SK',
    worlds: AKSK,
    server: () => json(401, { error_code: 'APIGW.0301', error_msg: `signature mismatch; expected one made with ${S.sk}` }),
    outcome: 'gateway',
  },

  // No answer.
  { attack: 'the connection is reset (undici: fetch failed, cause ECONNRESET)', server: () => Promise.reject(fetchFailed('ECONNRESET', 'read ECONNRESET')), outcome: 'network' },
  {
    attack: 'the connection is refused, retried twice, then given up',
    server: () => Promise.reject(fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443')),
    options: { retry: { retries: 2, baseDelayMs: 0, maxDelayMs: 0 } },
    outcome: 'network',
  },
  {
    attack: 'the fetch fails with an error quoting them, in its message and in its cause',
    server: (_, echo) => Promise.reject(new TypeError(`fetch failed: ${echo}`, { cause: Object.assign(new Error(`socket closed: ${echo}`), { code: 'UND_ERR_SOCKET' }) })),
    outcome: 'network',
  },
  { attack: 'no answer within timeoutMs', server: silentFetch, options: { timeoutMs: 20 }, outcome: 'timeout' },
  {
    attack: 'an error body quoting them stalls before its end (timeoutMs bounds the body too)',
    server: (_, echo) =>
      new Response(new ReadableStream({ start: (body) => body.enqueue(new TextEncoder().encode(`{"computeFault": {"code": 500, "message": ${JSON.stringify(echo).slice(0, -1)}`)) }), {
        status: 500,
        statusText: `Stalled ${echo}`,
      }),
    options: { timeoutMs: 20 },
    outcome: 'timeout',
  },
  (() => {
    // Aborted by the server's side the moment the request reaches it: in flight, on no clock.
    let controller = new AbortController();
    return {
      attack: 'the caller aborts while the request is in flight',
      server: (request: Request) => {
        controller.abort();
        return silentFetch(request);
      },
      run: (client: (extra?: Partial<EcsClientOptions>) => EcsClient) => {
        controller = new AbortController();
        return client().stopServer(SERVER, { signal: controller.signal });
      },
      outcome: 'abort',
    };
  })(),

  // Credentials that could not be had: the auth's error is not kept.
  { attack: "a token provider throws, quoting the vault's secret", auth: () => tokenAuth(() => { throw new Error(`vault said: ${S.vault}`); }), worlds: ['token'], outcome: 'auth' },
  { attack: 'a token provider rejects with the secret itself (not an Error)', auth: () => tokenAuth(() => Promise.reject(S.vault)), worlds: ['token'], outcome: 'auth' },
  { attack: 'a token provider returns the token with a line break and a header', auth: () => tokenAuth(() => `${S.token}\r\nX-Evil: 1`), worlds: ['token'], outcome: 'input' },
  {
    attack: 'an own auth: IAM refuses it, echoing the password, and the auth throws with that text',
    auth: () => passwordAuth(`${IAM}?refuse`),
    worlds: ['own auth (a password fetches tokens)'],
    outcome: 'auth',
  },
  {
    attack: 'an own auth sets a token with a line break; the runtime refuses it, quoting it',
    auth: () => ({ kind: 'careless', authorize: (request: Request) => (request.headers.set('X-Auth-Token', `${S.token}\r\nX-Evil: 1`), request) }),
    worlds: ['token'],
    outcome: 'auth',
  },

  // Input refused before anything is sent: the value is never quoted.
  ...(
    [
      ['tokenAuth: a token with CRLF and a header', () => tokenAuth(`${S.token}\r\nX-Evil: 1`)],
      ['tokenAuth: a token with a leading space', () => tokenAuth(` ${S.token}`)],
      ['tokenAuth: a token with a non-ASCII letter', () => tokenAuth(`${S.token}é`)],
      ['akskAuth: an SK with NUL', () => akskAuth({ ak: SWEEP_AK, sk: `${S.sk}\u0000` })],
      ['akskAuth: an SK with a space', () => akskAuth({ ak: SWEEP_AK, sk: `${S.sk} x` })],
      ['akskAuth: a security token with a newline', () => akskAuth({ ak: SWEEP_AK, sk: S.sk, securityToken: `${S['security token']}\n` })],
      ['akskAuth: an AK with a newline, the SK beside it', () => akskAuth({ ak: `${SWEEP_AK}\n`, sk: S.sk })],
      ['akskAuth: the credentials as a string (the SK)', () => akskAuth(S.sk as never)],
      ['akskAuth: a signedHost that is the SK', () => akskAuth({ ak: SWEEP_AK, sk: S.sk }, { signedHost: `${S.sk}/` })],
      ['signRequest: an SK with a trailing space', () => signRequest(new Request(`${ENDPOINT}/`), { ak: SWEEP_AK, sk: `${S.sk} ` }, new Date())],
    ] as const
  ).map(([attack, run]): LibraryAttack => ({ attack, run, worlds: ['token'], outcome: 'input' })),
  ...(
    [
      ['serverId ..', (client) => client().stopServer('..')],
      ['serverId with a newline', (client) => client().stopServer(`${SERVER}\n`)],
      ['type', (client) => client().stopServer(SERVER, { type: 'soft' as 'SOFT' })],
      ['requestId', (client) => client().stopServer(SERVER, { requestId: 'nope' })],
      ['wait.timeoutMs', (client) => client().stopServer(SERVER, { wait: { timeoutMs: 0 } })],
      ['signal', (client) => client().stopServer(SERVER, { signal: {} as AbortSignal })],
      ['getServer serverId', (client) => client().getServer('')],
      ['raw path parameter', (client) => client().raw.POST('/v2.1/{project_id}/servers/{server_id}/action', { params: { path: { project_id: PROJECT, server_id: '' } }, body: { 'os-stop': {} } })],
      ['endpoint with the SK as user info', (client) => client({ endpoint: `https://ak:${S.sk}@ecs.example.com` })],
      ['endpoint with the token in its query', (client) => client({ endpoint: `https://ecs.example.com/?token=${S.token}` })],
      ['the token as projectId', (client) => client({ projectId: S.token })],
      ['microversion', (client) => client({ microversion: 'two' })],
      ['timeoutMs', (client) => client({ timeoutMs: 0 })],
      ['userAgent with the SK and a newline', (client) => client({ userAgent: `tool/1 ${S.sk}\n` })],
    ] as Array<[string, NonNullable<LibraryAttack['run']>]>
  ).map(([input, run]): LibraryAttack => ({ attack: `a client holding the secrets refuses ${input}`, run, outcome: 'input' })),

  // The stop was accepted, the wait failed.
  {
    attack: 'wait: the server goes to ERROR; its name, fault and task state quote them',
    server: (request, echo) => (request.method === 'POST' ? accepted() : json(200, serverBody('ERROR', { name: echo, fault: { message: echo }, 'OS-EXT-STS:task_state': echo }))),
    run: (client) => client().stopServer(SERVER, { wait: { intervalMs: 1 } }),
    outcome: 'wait:error-state',
  },
  {
    attack: 'wait: the server disappears, the 404 quoting them',
    server: (request, echo) => (request.method === 'POST' ? accepted() : json(404, { itemNotFound: { code: 404, message: `gone: ${echo}` } }, { 'X-OpenStack-Request-Id': echo })),
    run: (client) => client().stopServer(SERVER, { wait: { intervalMs: 1 } }),
    outcome: 'wait:not-found',
  },
  {
    attack: 'wait: never SHUTOFF within wait.timeoutMs; its status and name quote them',
    server: (request, echo) => (request.method === 'POST' ? accepted() : json(200, serverBody(`X ${echo}`, { name: echo }))),
    run: (client) => client().stopServer(SERVER, { wait: { timeoutMs: 30, intervalMs: 5 } }),
    outcome: 'wait:timeout',
  },

  // Successes are logged too.
  {
    attack: 'accepted; the request ID header quotes them',
    server: (_, echo) => new Response(null, { status: 202, headers: { 'X-OpenStack-Request-Id': `req-${echo}` } }),
    outcome: 'result',
    says: /^req-.*\[redacted\]/,
  },
  {
    attack: "already stopped, made a success by ifAlreadyStopped: 'ok'; the 409's request ID quotes them",
    server: (_, echo) => json(409, { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${SERVER} while it is in vm_state stopped` } }, { 'X-OpenStack-Request-Id': echo }),
    run: (client) => client().stopServer(SERVER, { ifAlreadyStopped: 'ok' }),
    outcome: 'result',
    says: /\[redacted\]/,
  },
  { attack: 'the client object', run: (client) => client(), outcome: 'result' },
  {
    attack: 'the auth object, after use',
    run: async (client, world) => {
      const auth = world.auth();
      await client({ auth }).stopServer(SERVER);
      return auth;
    },
    outcome: 'result',
  },
];

function expectOutcome(outcome: unknown, owed: string, label: string) {
  if (owed === 'result') return expect(outcome, label).not.toBeInstanceOf(Error);
  if (owed === 'input') return expect(outcome, label).toBeInstanceOf(EcsInputError);
  if (owed === 'abort') return expect(outcome, label).toMatchObject({ name: 'AbortError' });
  if (owed.startsWith('wait:')) {
    expect(outcome, label).toBeInstanceOf(EcsWaitError);
    return expect((outcome as EcsWaitError).reason, label).toBe(owed.slice('wait:'.length));
  }
  expect(outcome, label).toBeInstanceOf(EcsApiError);
  expect((outcome as EcsApiError).kind, label).toBe(owed);
}

/** Runs one attack in one world; returns the leaks found, after checking the outcome. */
async function attackLibrary(row: LibraryAttack, world: World): Promise<string[]> {
  // Every secret of the sweep is looked for in every world, and every credential a request carried.
  const secrets: Record<string, string> = { ...S };
  const echoes: string[] = [];
  let issued = 0;
  const f = fakeFetch((request) => {
    note(secrets, credentialsCarried(request.headers));
    if (request.url.startsWith(IAM)) {
      return request.url.endsWith('?refuse')
        ? json(401, { error: { code: 401, title: 'Unauthorized', message: `wrong password ${S.password}` } })
        : new Response(null, { status: 201, headers: { 'X-Subject-Token': issuedToken(++issued) } });
    }
    const echo = echoOf(request, world.told);
    echoes.push(echo);
    return (row.server ?? accepted)(request, echo, echoes);
  });
  const client = (extra: Partial<EcsClientOptions> = {}) =>
    createEcsClient({ endpoint: ENDPOINT, projectId: PROJECT, auth: row.auth?.() ?? world.auth(), retry: false, fetch: f.fetch, ...row.options, ...extra });
  let outcome: unknown;
  try {
    outcome = await (row.run ?? ((c) => c().stopServer(SERVER)))(client, world);
  } catch (error) {
    outcome = error;
  }
  const label = `${world.name}: ${row.attack}`;
  expectOutcome(outcome, row.outcome, label);
  if (row.says) {
    const shown = outcome instanceof Error ? outcome.message : (outcome as { requestId?: string }).requestId;
    expect(shown, label).toMatch(row.says);
  }
  // Not a vacuous sweep: what was sent signed was seen signed.
  if (AKSK.includes(world.name) && !row.auth && f.requests.length > 0) {
    expect(Object.keys(secrets).some((name) => name.startsWith('signature')), label).toBe(true);
  }
  return Object.entries(renderings(outcome)).flatMap(([how, text]) => leaksIn(text, secrets).map((leak) => `${world.name} / ${how}: ${leak}`));
}

const inWorlds = (row: { worlds?: string[] }) => worlds.filter((world) => row.worlds?.includes(world.name) ?? true);

describe('the library: no secret in any error or result, however shown', () => {
  const sweep = async (row: LibraryAttack) => {
    const leaks: string[] = [];
    for (const world of inWorlds(row)) leaks.push(...(await attackLibrary(row, world)));
    expect(leaks).toEqual([]);
  };
  it.each(libraryAttacks.map((row) => [row.attack, row] as const))('%s', (_, row) => sweep(row));
});

// ---------------------------------------------------------------------------------------------
// The CLI

/**
 * Secrets pasted on the command line (or into the wrong variable), in none of the credential
 * variables: only the CLI's refusal to echo what it was given keeps them out of the output.
 */
const PASTED = {
  /** 40 letters and digits: an SK's shape, and a plausible option name after `--`. */
  sk: 'Pq7sKw2XzR9mL4vB8nT1yY6uI3oE0aSdF5gHj2Kl',
  token: 'MIIpastedT0kenA1bC2dE3fG4hI5jK6lM7nO8',
  'security token': 'stsPasted9ecretQ1wE2rT3yU4iO5pA6sD7fG',
  /** Looks like an option name. */
  lowercase: 'q8x2m4k9z7w1p5r3t6y0u2e4',
  /** Looks like a region ID. */
  'region-shaped': 'zq-8x2m4k9z7w1p5r3t6y0',
};
const P = PASTED;

type Env = Record<string, string | undefined>;
const cliWorlds: Record<string, Env> = {
  token: { ECS_AUTH_TOKEN: S.token },
  'AK/SK + security token': { HUAWEICLOUD_SDK_AK: SWEEP_AK, HUAWEICLOUD_SDK_SK: S.sk, HUAWEICLOUD_SDK_SECURITY_TOKEN: S['security token'] },
};
/** Credentials of one kind, the project and the region. */
const place = (creds: Env): Env => ({ ...creds, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, HUAWEICLOUD_SDK_REGION: 'cn-north-4' });
const NOT_SHOWN = (n: number) => new RegExp(`^unknown option in argument ${n} \\(not shown, in case it is a secret\\)`);
const CREDENTIAL_SHAPED = (n: number) => new RegExp(`^argument ${n} is not a server ID and has a credential's shape \\(not shown, in case it is a secret\\)`);
const FROM_ENV_ONLY = (name: string) => new RegExp(`^unknown option '${name}'; credentials are read from the environment only`);
const TRY_HELP = "Try 'ecs-stop --help' for more information.";
/** What a terminal must never get raw: control characters (C0, DEL, C1), line separators, bidi controls. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

interface CliAttack {
  attack: string;
  argv: string[];
  /** The environment, from the world's credentials (default: them, the project and the region). */
  env?: (creds: Env) => Env;
  /** Answers every request (default 202). `echo` quotes the world's secrets and every header sent. */
  server?: Server;
  /** The exit code owed. */
  code: number;
  /** Usage errors (code 2): the field in --json, and what the message says in text and --json. */
  field?: string;
  says?: RegExp;
  /** The text output shows the server's words with the secrets cut out: `[redacted]`. */
  redacted?: boolean;
  /** In text mode, a --wait progress line is shown (the io says it is a terminal). */
  progress?: boolean;
}

const usage = (attack: string, argv: string[], field: string, says: RegExp, env?: CliAttack['env']): CliAttack => ({ attack, argv, field, says, code: 2, ...(env && { env }) });

const cliAttacks: CliAttack[] = [
  // Successes.
  {
    attack: 'accepted; the request ID header quotes them',
    argv: [SERVER],
    server: (_, echo) => new Response(null, { status: 202, headers: { 'X-OpenStack-Request-Id': `req-${echo}` } }),
    code: 0,
    redacted: true,
  },
  {
    attack: '--wait: the progress line and the result show a server whose name and task state quote them',
    argv: [SERVER, '--wait'],
    server: (request, echo) => (request.method === 'POST' ? accepted() : json(200, serverBody('SHUTOFF', { name: echo, 'OS-EXT-STS:task_state': echo }))),
    code: 0,
    progress: true,
  },
  {
    attack: "--ok-if-stopped: the 409 'already stopped' has a request ID quoting them",
    argv: [SERVER, '--ok-if-stopped'],
    server: (_, echo) => json(409, { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${SERVER} while it is in vm_state stopped` } }, { 'X-OpenStack-Request-Id': echo }),
    code: 0,
    redacted: true,
  },

  // API errors: the server quotes what it was sent, and the SK it holds.
  ...bodies.map((row): CliAttack => ({ attack: row.attack, argv: [SERVER], server: row.server!, code: 3, redacted: true })),
  {
    attack: 'the X-OpenStack-Request-Id header quotes them',
    argv: [SERVER],
    server: (_, echo) => json(404, { itemNotFound: { code: 404, message: 'gone' } }, { 'X-OpenStack-Request-Id': echo }),
    code: 3,
    redacted: true,
  },
  { attack: 'no body; the HTTP reason phrase quotes them', argv: [SERVER], server: (_, echo) => new Response(null, { status: 401, statusText: `Unauthorized ${echo}` }), code: 3, redacted: true },
  {
    attack: 'a message quoting them across the 2,000-character cut of long messages',
    argv: [SERVER],
    // Redacting after the cut would leave the start of the secret that straddles it.
    server: (request, echo) => json(401, { unauthorized: { code: 401, message: `${'x'.repeat(2_000 - 20)}${request.headers.get('x-auth-token') ?? request.headers.get('x-security-token')} ${echo}` } }),
    code: 3,
    redacted: true,
  },
  {
    attack: 'a 503 quoting them, retried (Retry-After: 0), then reported',
    argv: [SERVER],
    server: (_, echo) => json(503, { serviceUnavailable: { code: 503, message: `later: ${echo}` } }, { 'Retry-After': '0' }),
    code: 3,
    redacted: true,
  },
  { attack: 'a redirect (not followed) whose Location quotes them', argv: [SERVER], server: (_, echo) => new Response(null, { status: 302, headers: { Location: `https://evil.example.com/?${encodeURIComponent(echo)}` } }), code: 3 },

  // No answer, and answers that are not HTTP.
  {
    attack: 'the fetch fails with an error quoting them, in its message and its cause',
    argv: [SERVER],
    server: (_, echo) => Promise.reject(new TypeError(`fetch failed: ${echo}`, { cause: Object.assign(new Error(`socket closed: ${echo}`), { code: 'UND_ERR_SOCKET' }) })),
    code: 4,
  },
  { attack: 'the fetch throws a string quoting them (not an Error)', argv: [SERVER], server: (_, echo) => Promise.reject(`refused: ${echo}`), code: 4 },
  { attack: 'no answer within --timeout-ms', argv: [SERVER, '--timeout-ms', '20'], server: silentFetch, code: 4 },
  { attack: 'the fetch returns something that is not a Response', argv: [SERVER], server: async () => 'nonsense' as unknown as Response, code: 4 },

  // --wait failed.
  {
    attack: '--wait: the server goes to ERROR; its name, fault and task state quote them',
    argv: [SERVER, '--wait'],
    server: (request, echo) => (request.method === 'POST' ? accepted() : json(200, serverBody('ERROR', { name: echo, fault: { message: echo }, 'OS-EXT-STS:task_state': echo }))),
    code: 5,
    progress: true,
  },
  {
    attack: '--wait: the server disappears, the 404 quoting them',
    argv: [SERVER, '--wait'],
    server: (request, echo) => (request.method === 'POST' ? accepted() : json(404, { itemNotFound: { code: 404, message: `gone: ${echo}` } }, { 'X-OpenStack-Request-Id': echo })),
    code: 5,
  },
  {
    attack: '--wait: never SHUTOFF within --timeout; the progress line shows a status quoting them',
    argv: [SERVER, '--wait', '--timeout', '1'],
    server: (request, echo) => (request.method === 'POST' ? accepted() : json(200, serverBody(`X ${echo}`, { 'OS-EXT-STS:task_state': echo }))),
    code: 5,
    progress: true,
  },

  // A secret pasted on the command line, in none of the credential variables: refused, never shown.
  usage('an SK pasted as --<SK> (40 letters and digits)', [SERVER, `--${P.sk}`], 'option', NOT_SHOWN(2)),
  usage('an SK pasted as --<SK>=<value>', [`--${P.sk}=HARD`, SERVER], 'option', NOT_SHOWN(1)),
  usage('a token pasted as --<token>, after other options', [SERVER, '--type', 'SOFT', `--${P.token}`], 'option', NOT_SHOWN(4)),
  usage('a lowercase secret pasted as --<secret> (looks like an option name)', [SERVER, `--${P.lowercase}`], 'option', NOT_SHOWN(2)),
  usage('the SK in the environment, pasted as --<SK> too', [SERVER, `--${S.sk}`], 'option', NOT_SHOWN(2), () => place(cliWorlds['AK/SK + security token']!)),
  usage('an SK as --x=<SK>', [SERVER, `--x=${P.sk}`], 'option', NOT_SHOWN(2)),
  usage('an SK as --sk=<SK>', [SERVER, `--sk=${P.sk}`], '--sk', FROM_ENV_ONLY('--sk')),
  usage('an SK as --sk <SK>', [SERVER, '--sk', P.sk], '--sk', FROM_ENV_ONLY('--sk')),
  usage('a token as --token=<token>, first', [`--token=${P.token}`, SERVER], '--token', FROM_ENV_ONLY('--token')),
  usage('a token as --auth-token=<token>', [SERVER, `--auth-token=${P.token}`], '--auth-token', FROM_ENV_ONLY('--auth-token')),
  usage('an SK as --SK=<SK> (capitals)', [SERVER, `--SK=${P.sk}`], 'option', /^unknown option in argument 2 \(not shown.*; credentials are read from the environment only/),
  usage('an SK glued to a known short option (-h<SK>)', [SERVER, `-h${P.sk}`], 'option', NOT_SHOWN(2)),
  usage('a security token glued to -h', [SERVER, `-h${P['security token']}`], 'option', NOT_SHOWN(2)),
  usage('a token as a short option cluster (-<token>), first', [`-${P.token}`, SERVER], 'option', NOT_SHOWN(1)),
  usage('a lowercase secret as a short option cluster', [SERVER, `-${P.lowercase}`], 'option', NOT_SHOWN(2)),
  usage('an SK as the server ID', [P.sk], 'server-id', CREDENTIAL_SHAPED(1)),
  usage('an SK after --', ['--', P.sk], 'server-id', CREDENTIAL_SHAPED(1)),
  usage('an SK with a slash as the server ID', [`${P.sk}/..`], 'server-id', CREDENTIAL_SHAPED(1)),
  usage('a token as a second server ID', [SERVER, P.token], 'server-id', CREDENTIAL_SHAPED(2)),
  usage('a security token as a server name', [P['security token']], 'server-id', CREDENTIAL_SHAPED(1)),
  usage('a lowercase secret as a server name, after a name', ['web-01', P.lowercase], 'server-id', CREDENTIAL_SHAPED(2)),
  usage('an SK inside a longer server name', [`web-${P.sk}-01`], 'server-id', CREDENTIAL_SHAPED(1)),
  usage('an SK as --type', [SERVER, '--type', P.sk], '--type', /^--type must be SOFT or HARD$/),
  usage('a token as --project-id', [SERVER, '--project-id', P.token], '--project-id', /^--project-id must be a project ID/),
  usage('an SK as --microversion', [SERVER, '--microversion', P.sk], '--microversion', /^--microversion must be/),
  usage('an SK as --timeout-ms', [SERVER, '--timeout-ms', P.sk], '--timeout-ms', /^--timeout-ms must be an integer/),
  usage('a token as --api-version=<token>', [SERVER, `--api-version=${P.token}`], '--api-version', /^--api-version must be v2 or v2\.1$/),
  usage('a security token as --json=<token>', [SERVER, `--json=${P['security token']}`], '--json', /^--json takes no value$/),
  usage('an SK as --region', [SERVER, '--region', P.sk], '--region', /^--region must be a region ID/),
  usage('a secret shaped like a region as --region', [SERVER, '--region', P['region-shaped']], '--region', /^--region is not an ECS region of Huawei's SDKs .*give --endpoint instead$/),
  usage('an SK as --endpoint', [SERVER, '--endpoint', P.sk], '--endpoint', /^--endpoint must be a URL/),
  usage('an SK as --endpoint user info', [SERVER, '--endpoint', `https://ak:${P.sk}@ecs.example.com`], '--endpoint', /^--endpoint must not contain user info$/),
  usage('a token as --endpoint user name (loopback http)', [SERVER, '--endpoint', `http://${P.token}@127.0.0.1:9`], '--endpoint', /^--endpoint must not contain user info$/),
  usage('a token in the --endpoint query', [SERVER, '--endpoint', `https://ecs.example.com/?token=${P.token}`], '--endpoint', /^--endpoint must be an origin only/),

  // A secret in the wrong variable, or a credential variable that is unusable: refused, never shown.
  usage('an SK as ECS_ENDPOINT user info', [SERVER], 'ECS_ENDPOINT', /^ECS_ENDPOINT must not contain user info$/, (c) => ({ ...place(c), HUAWEICLOUD_SDK_REGION: undefined, ECS_ENDPOINT: `https://ak:${P.sk}@ecs.example.com` })),
  usage('an SK as ECS_ENDPOINT', [SERVER], 'ECS_ENDPOINT', /^ECS_ENDPOINT must be a URL/, (c) => ({ ...place(c), HUAWEICLOUD_SDK_REGION: undefined, ECS_ENDPOINT: P.sk })),
  usage('a token as HUAWEICLOUD_SDK_PROJECT_ID', [SERVER], 'HUAWEICLOUD_SDK_PROJECT_ID', /^HUAWEICLOUD_SDK_PROJECT_ID must be a project ID/, (c) => ({ ...place(c), HUAWEICLOUD_SDK_PROJECT_ID: P.token })),
  usage('a secret shaped like a region as HUAWEICLOUD_SDK_REGION', [SERVER], 'HUAWEICLOUD_SDK_REGION', /^HUAWEICLOUD_SDK_REGION is not an ECS region/, (c) => ({ ...place(c), HUAWEICLOUD_SDK_REGION: P['region-shaped'] })),
  usage('ECS_AUTH_TOKEN with CRLF and a header', [SERVER], 'ECS_AUTH_TOKEN', /^ECS_AUTH_TOKEN must be .*visible ASCII/, () => place({ ECS_AUTH_TOKEN: `${P.token}\r\nX-Evil: 1` })),
  usage('HUAWEICLOUD_SDK_SK with a space', [SERVER], 'HUAWEICLOUD_SDK_SK', /^HUAWEICLOUD_SDK_SK must be/, () => place({ HUAWEICLOUD_SDK_AK: SWEEP_AK, HUAWEICLOUD_SDK_SK: `${P.sk} x` })),
  usage('HUAWEICLOUD_SDK_SECURITY_TOKEN with a newline', [SERVER], 'HUAWEICLOUD_SDK_SECURITY_TOKEN', /^HUAWEICLOUD_SDK_SECURITY_TOKEN must be/, () => place({ HUAWEICLOUD_SDK_AK: SWEEP_AK, HUAWEICLOUD_SDK_SK: S.sk, HUAWEICLOUD_SDK_SECURITY_TOKEN: `${P['security token']}\n` })),
  usage('both kinds of credentials, the SK pasted into the AK variable too', [SERVER], 'credentials', /one kind of credentials only/, (c) => place({ ...c, ECS_AUTH_TOKEN: S.token, HUAWEICLOUD_SDK_AK: P.sk, HUAWEICLOUD_SDK_SK: P.sk })),
  usage('an SK and a security token without an AK', [SERVER], 'HUAWEICLOUD_SDK_AK', /HUAWEICLOUD_SDK_AK is not set/, () => place({ HUAWEICLOUD_SDK_SK: S.sk, HUAWEICLOUD_SDK_SECURITY_TOKEN: S['security token'] })),
];

/** `--json` before any `--`, so that it stays an option. */
function withJson(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return end === -1 ? [...argv, '--json'] : [...argv.slice(0, end), '--json', ...argv.slice(end)];
}

/** Runs one attack with one kind of credentials in one mode; returns the leaks found, after checking the rest. */
async function attackCli(row: CliAttack, worldName: string, mode: 'text' | 'json'): Promise<string[]> {
  const creds = cliWorlds[worldName]!;
  const env = (row.env ?? place)(creds);
  const secrets: Record<string, string> = { ...S, ...PASTED };
  for (const [name, value] of [['token', env.ECS_AUTH_TOKEN], ['sk', env.HUAWEICLOUD_SDK_SK], ['security token', env.HUAWEICLOUD_SDK_SECURITY_TOKEN]]) {
    if (value) secrets[`${name} in the environment`] = value;
  }
  const told = Object.values(creds).filter((value): value is string => value !== undefined && value !== SWEEP_AK);
  const echoes: string[] = [];
  const f = fakeFetch((request) => {
    note(secrets, credentialsCarried(request.headers));
    const echo = echoOf(request, told);
    echoes.push(echo);
    return (row.server ?? accepted)(request, echo, echoes);
  });
  const out = { stdout: [] as string[], stderr: [] as string[], progress: [] as string[] };
  const code = await main(mode === 'json' ? withJson(row.argv) : row.argv, env, {
    stdout: (line) => out.stdout.push(line),
    stderr: (line) => out.stderr.push(line),
    progress: (text) => out.progress.push(text),
    fetch: f.fetch,
  });

  const label = `${worldName}, ${mode}: ${row.attack}`;
  const all = [...out.stdout, ...out.stderr, ...out.progress];
  expect(code, label).toBe(row.code);
  if (row.code === 2) expect(f.requests, `${label}: nothing is sent`).toHaveLength(0);
  for (const line of all) expect(line, label).not.toMatch(UNSAFE);
  if (mode === 'json') {
    // One JSON line on stdout, nothing on stderr, and no progress line.
    expect([out.stdout.length, out.stderr.length, out.progress.length], label).toEqual([1, 0, 0]);
    const parsed = JSON.parse(out.stdout[0]!) as { ok: boolean; error?: { kind: string; field?: string; message: string } };
    expect(parsed.ok, label).toBe(row.code === 0);
    if (row.code === 2) expect(parsed.error, label).toEqual({ kind: 'usage', field: row.field, message: expect.stringMatching(row.says!) });
  } else {
    if (row.code === 0) {
      expect(out.stderr, label).toEqual([]);
      expect(out.stdout, label).not.toEqual([]);
    } else {
      // One line naming the failure (and for usage errors, where to read more).
      expect(out.stdout, label).toEqual([]);
      expect(out.stderr[0], label).toMatch(/^ecs-stop: /);
      expect(out.stderr.slice(1), label).toEqual(row.code === 2 ? [TRY_HELP] : []);
    }
    if (row.says) expect(out.stderr[0]!.slice('ecs-stop: '.length), label).toMatch(row.says);
    if (row.redacted) expect(all.join('\n'), `${label}: the server's words are kept, the secrets cut out`).toContain('[redacted]');
    if (row.progress) expect(out.progress, `${label}: a progress line was shown`).not.toEqual([]);
  }
  return Object.entries(out).flatMap(([stream, lines]) => leaksIn(lines.join('\n'), secrets).map((leak) => `${worldName}, ${mode} / ${stream}: ${leak}`));
}

describe('the CLI: no secret on stdout, stderr or the progress line, in text or --json', () => {
  it.each(cliAttacks.map((row) => [row.attack, row] as const))('%s', async (_, row) => {
    const runs = Object.keys(cliWorlds).flatMap((world) => (['text', 'json'] as const).map((mode) => attackCli(row, world, mode)));
    expect((await Promise.all(runs)).flat()).toEqual([]);
  });

  it("keeps the server's words around what it cuts: the public AK stays, the security token and signature go", async () => {
    const stderr: string[] = [];
    const code = await main([SERVER], place(cliWorlds['AK/SK + security token']!), {
      stdout: () => {},
      stderr: (line) => stderr.push(line),
      fetch: async (request) => json(401, { unauthorized: { code: 401, message: `bad credentials: ${[...request.headers].map(([k, v]) => `${k}=${v}`).join(' ')}` } }),
    });
    expect(code).toBe(3);
    expect(stderr[0]).toMatch(/^ecs-stop: 401 unauthorized: bad credentials: /);
    expect(stderr[0]).toContain(`Access=${SWEEP_AK}`);
    expect(stderr[0]).toContain('x-security-token=[redacted]');
    expect(stderr[0]).toContain('Signature=[redacted]');
  });

  it('an output stream that fails with an error quoting them: the unexpected error (exit 1) does not', async () => {
    for (const [world, creds] of Object.entries(cliWorlds)) {
      const stderr: string[] = [];
      const code = await main([SERVER], place(creds), {
        stdout: () => {
          throw new Error(`write failed: ${Object.values(creds).join(' ')}`);
        },
        stderr: (line) => stderr.push(line),
        fetch: fakeFetch().fetch,
      });
      expect(code, world).toBe(1);
      expect(stderr, world).toEqual([expect.stringMatching(/^ecs-stop: unexpected error: Error: write failed: .*\[redacted\]/)]);
      expect(leaksIn(stderr.join('\n'), { ...S, ...PASTED }), world).toEqual([]);
    }
  });
});
