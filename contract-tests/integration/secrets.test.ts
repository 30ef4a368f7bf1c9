/**
 * The secret sweep where it needs a socket or a process (the rest, and the list of renderings and
 * secrets, is unit/secrets.test.ts): the library over real loopback sockets, run over each
 * transport (the real global fetch, the default, and nodeTransport()), where the transport's own
 * errors (undici's or node:http's, at any depth of `cause`) and a server that echoes every header
 * it was sent in its body, its reason phrase and its request ID must show no secret; and `ecs-stop`
 * run as a program (on its own path), whose real stdout and stderr must show none either.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { akskAuth, createEcsClient, EcsApiError, tokenAuth, type EcsAuth, type EcsClientOptions, type Transport } from '../../src/index.js';
import { nodeTransport } from '../../src/node.js';
import { clientHasHeaders, faults, refusedUrl, startFaultServer, type Fault, type FaultServer, type SeenRequest } from '../support/fault-server.js';
import { credentialsCarried, leaksIn, passwordAuth, PROJECT, renderings, SERVER, SWEEP_AK, SWEEP_SECRETS as S } from '../support/fixtures.js';
import { buildCliProgram, runCli, type CliProgram } from './cli-program.js';

let server: FaultServer;
let program: CliProgram;
/** What answers the next requests to ECS (IAM token requests are always answered 201). */
let answer: Fault;

beforeAll(async () => {
  server = await startFaultServer();
  server.fallback = {
    name: 'IAM, or the attack',
    handle(req, res) {
      if (!req.url?.startsWith('/iam/')) return answer.handle(req, res);
      res.writeHead(201, { 'X-Subject-Token': `iSsuedOverS0cketQm7Xw2Lp9Zr4${server.requests.length}`, 'Content-Length': 0 });
      res.end();
    },
  };
  program = buildCliProgram();
}, 60_000);

afterAll(async () => {
  await server?.close();
  program?.remove();
});

/** A server that quotes every header it was sent, and `told`, in its body, reason phrase and request ID. */
function echoing(told: string[]): Fault {
  return {
    name: 'echo',
    handle(req: IncomingMessage, res: ServerResponse) {
      const echo = [...told, ...Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`)].join('; ');
      const body = JSON.stringify({ unauthorized: { code: 401, message: `bad credentials: ${echo}` } });
      res.writeHead(401, `Unauthorized ${echo}`, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-OpenStack-Request-Id': `req-${echo}` });
      res.end(body);
    },
  };
}

/** Every secret of the sweep, and every credential the server received. */
function secretsSeen(requests: SeenRequest[]): Record<string, string> {
  const secrets: Record<string, string> = { ...S };
  for (const { headers } of requests) {
    Object.assign(secrets, credentialsCarried({ get: (name) => (typeof headers[name] === 'string' ? (headers[name] as string) : null) }));
  }
  return secrets;
}

const worlds: Record<string, { auth: () => EcsAuth; told: string[] }> = {
  token: { auth: () => tokenAuth(S.token), told: [] },
  'AK/SK + security token': { auth: () => akskAuth({ ak: SWEEP_AK, sk: S.sk, securityToken: S['security token'] }), told: [] },
  'own auth (a password fetches tokens)': { auth: () => passwordAuth(`${server.url}/iam/v3/auth/tokens`), told: [S.password] },
};

/** Resolves once the client has the headers of a response whose URL `matches`. */
type HasHeaders = (matches: (url: string) => boolean) => Promise<void>;

/** The transport under test: its client options, and how a test learns that the client has a response's headers. */
interface UnderTest {
  options: () => Partial<EcsClientOptions>;
  hasHeaders: HasHeaders;
  /** Whether a request the server saw came through this transport (undici adds `sec-fetch-mode`; node:http does not). */
  sentBy: (request: SeenRequest) => boolean;
}
let headersSeen: ((url: string) => void) | undefined;
/** `transport`, telling `hasHeaders` of each response it hands over (with its request's URL). */
const observed = (transport: Transport): Transport => async (request, attempt) => {
  const response = await transport(request, attempt);
  headersSeen?.(request.url);
  return response;
};
const transports: [string, UnderTest][] = [
  ['the global fetch', { options: () => ({}), hasHeaders: (matches) => clientHasHeaders(matches), sentBy: (r) => r.headers['sec-fetch-mode'] === 'cors' }],
  [
    'nodeTransport()',
    {
      options: () => ({ transport: observed(nodeTransport()) }),
      hasHeaders: (matches) => new Promise((resolve) => (headersSeen = (url) => void (matches(url) && resolve()))),
      sentBy: (r) => r.headers['sec-fetch-mode'] === undefined,
    },
  ],
];

interface SocketAttack {
  attack: string;
  /** The answer to ECS requests; `undefined` sends them where nothing listens. */
  answer?: (told: string[], hasHeaders: HasHeaders) => Fault;
  kind: string;
  /** Only where the row is about a timeout: elsewhere an answer may take as long as a busy machine needs. */
  timeoutMs?: number;
}

const socketAttacks: SocketAttack[] = [
  { attack: 'the connection is refused (fetch failed, ECONNREFUSED), retried', kind: 'network' },
  { attack: 'the connection is reset before any answer', answer: () => faults.resetBeforeResponse(), kind: 'network' },
  { attack: 'the answer is not HTTP', answer: () => faults.rawBytes('garbage\r\n\r\n'), kind: 'network' },
  { attack: 'no answer within timeoutMs', answer: () => faults.silence(), kind: 'timeout', timeoutMs: 200 },
  {
    attack: 'the connection is reset in the middle of an error body',
    // Once the ECS answer's headers are in (not the token endpoint's).
    answer: (_told, hasHeaders) => faults.resetMidResponse(500, { after: hasHeaders((url) => !url.includes('/iam/')) }),
    kind: 'network',
  },
  { attack: 'a server quotes every header it was sent in its body, reason phrase and request ID', answer: echoing, kind: 'unauthorized' },
];

describe.each(transports)('the library over real sockets, over %s: no secret in any error, however shown', (_label, under) => {
  afterEach(() => {
    vi.restoreAllMocks();
    headersSeen = undefined;
  });

  it.each(socketAttacks.map((row) => [row.attack, row] as const))('%s', { timeout: 30_000 }, async (_, row) => {
    const leaks: string[] = [];
    const endpoint = row.answer ? server.url : await refusedUrl();
    for (const [name, world] of Object.entries(worlds)) {
      if (row.answer) answer = row.answer(world.told, under.hasHeaders);
      const before = server.requests.length;
      const retry = { retries: 1, baseDelayMs: 1, maxDelayMs: 5 };
      const error = await createEcsClient({ endpoint, projectId: PROJECT, auth: world.auth(), timeoutMs: row.timeoutMs ?? 20_000, retry, ...under.options() })
        .stopServer(SERVER)
        .then(() => undefined, (e: unknown) => e);
      expect(error, name).toBeInstanceOf(EcsApiError);
      expect((error as EcsApiError).kind, name).toBe(row.kind);
      const secrets = secretsSeen(server.requests.slice(before));
      for (const [how, text] of Object.entries(renderings(error))) leaks.push(...leaksIn(text, secrets).map((leak) => `${name} / ${how}: ${leak}`));
    }
    expect(leaks).toEqual([]);
  });

  it('the echoing server did receive the credentials (the sweep above is not vacuous)', async () => {
    answer = echoing([]);
    const before = server.requests.length;
    for (const world of Object.values(worlds)) {
      await createEcsClient({ endpoint: server.url, projectId: PROJECT, auth: world.auth(), retry: false, ...under.options() })
        .stopServer(SERVER)
        .catch(() => {});
    }
    const seen = server.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((r) => !under.sentBy(r))).toEqual([]);
    expect(seen.some((r) => r.headers['x-auth-token'] === S.token)).toBe(true);
    expect(seen.some((r) => r.headers['x-security-token'] === S['security token'])).toBe(true);
    expect(seen.some((r) => /Signature=[0-9a-f]{64}$/.test(r.headers.authorization ?? ''))).toBe(true);
    expect(seen.some((r) => r.url.startsWith('/iam/') && r.body.includes(S.password))).toBe(true);
  });
});

describe('ecs-stop as a program: no secret on its stdout or stderr', () => {
  const env = {
    token: { ECS_AUTH_TOKEN: S.token },
    'AK/SK + security token': { HUAWEICLOUD_SDK_AK: SWEEP_AK, HUAWEICLOUD_SDK_SK: S.sk, HUAWEICLOUD_SDK_SECURITY_TOKEN: S['security token'] },
  };
  const PASTED_SK = 'Pq7sKw2XzR9mL4vB8nT1yY6uI3oE0aSdF5gHj2Kl';

  it.each([
    // The server knows what the environment holds (the gateway verifies AK/SK signatures with the SK).
    ['a server that quotes every header, and the credentials it holds', (held: string[]) => echoing(held), [], 3],
    ['the connection is reset', () => faults.resetBeforeResponse(), [], 4],
    ['an SK pasted as --<SK>', undefined, [`--${PASTED_SK}`], 2],
  ] as const)('%s', { timeout: 30_000 }, async (_, attack, extra, code) => {
    const leaks: string[] = [];
    for (const [name, creds] of Object.entries(env)) {
      for (const mode of [[], ['--json']]) {
        if (attack) answer = attack(Object.values(creds).filter((value) => value !== SWEEP_AK));
        const before = server.requests.length;
        const run = await runCli(program, [SERVER, '--endpoint', server.url, ...extra, ...mode], { ...creds, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT });
        const label = `${name}${mode.length ? ' --json' : ''}`;
        expect(run.code, `${label}: ${run.stderr}`).toBe(code);
        expect(run.stdout + run.stderr, label).not.toBe('');
        const secrets = { ...secretsSeen(server.requests.slice(before)), 'pasted SK': PASTED_SK };
        for (const stream of ['stdout', 'stderr'] as const) leaks.push(...leaksIn(run[stream], secrets).map((leak) => `${label} / ${stream}: ${leak}`));
      }
    }
    expect(leaks).toEqual([]);
  });
});
