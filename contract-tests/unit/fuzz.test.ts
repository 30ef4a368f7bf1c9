/**
 * Property-based fuzzing with fast-check, no network (an injected fetch records what is sent):
 *
 * - inputs of createEcsClient, the auth helpers and stopServer (full unicode, control characters,
 *   100k-character strings, non-strings, odd URLs): every call ends in an EcsInputError that names
 *   a field, before anything is sent, or in exactly one well-formed request to
 *   `{endpoint}/{version}/{project}/servers/{server}/action`, never anywhere else;
 * - server responses (random statuses, headers and bodies, retried or not): every call ends in a
 *   result of 202/204 or an EcsApiError carrying the response's status, never anything else.
 *
 * `FC_SEED` replays a run; `FUZZ_RUNS` sets the number of cases (default 1,000, `npm run fuzz` 10,000).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { akskAuth, createEcsClient, EcsApiError, type EcsClientOptions, EcsInputError, type Server, type StopServerOptions, type StopServerResult, tokenAuth } from '../../src/index.js';
import { regions } from '../../src/regions.js';
import { componentValidator } from '../support/spec.js';
import { failOnUnhandledRejections, PROJECT, SERVER } from '../support/fixtures.js';
import { allowedKinds, hex, responseSpec, type ResponseSpec } from '../support/fuzz-responses.js';

const seed = Number(process.env.FC_SEED ?? 20261126);
const total = Number(process.env.FUZZ_RUNS ?? 1_000);
const runs = {
  mixed: Math.round(total * 0.35),
  valid: Math.round(total * 0.1),
  invalid: Math.round(total * 0.2),
  responses: 0,
};
runs.responses = total - runs.mixed - runs.valid - runs.invalid;
console.log(`fuzz: fast-check seed ${seed}, ${total} cases planned (FC_SEED=${seed} replays; FUZZ_RUNS sets the count)`);

const spec = {
  stopRequest: componentValidator('StopServerRequest'),
  projectId: componentValidator('ProjectId'),
  serverId: componentValidator('ServerId'),
  microversion: componentValidator('Microversion'),
  requestId: componentValidator('RequestId'),
  stopType: componentValidator('StopType'),
};
const visibleAscii = (value: unknown): value is string => typeof value === 'string' && /^[\x21-\x7e]+$/.test(value);
const printableAscii = (value: unknown): value is string => typeof value === 'string' && /^[\x20-\x7e]+$/.test(value);

/** Cases run and their outcomes, for the closing report. */
const tally = { cases: 0, inputCases: 0, refused: 0, accepted: 0, invalidTried: 0, invalidRefused: 0, responseCases: 0, resolved: 0, typedErrors: 0 };
failOnUnhandledRejections();
afterAll(() => {
  console.log(
    `fuzz: ${tally.cases} cases run (seed ${seed}): ${tally.inputCases} input cases (${tally.accepted} well-formed requests, ` +
      `${tally.refused} refused with EcsInputError; of ${tally.invalidTried} surely invalid inputs, ${tally.invalidRefused} refused), ` +
      `${tally.responseCases} response cases (${tally.resolved} resolved, ${tally.typedErrors} typed EcsApiError)`,
  );
});

// ---------------------------------------------------------------------------------------------
// Values

/** Marks an option left out altogether. */
const ABSENT = Symbol('absent');
type Drawn = unknown;

const hugeStrings = [
  'a'.repeat(100_000),
  '4d8c3732-a248-40ed-bebc-539a6ffd25c0'.repeat(2_800),
  `4d8c3732-a248-40ed-bebc-539a6ffd25c0${'0'.repeat(100_000)}`,
  '/'.repeat(100_000),
  '\u0000'.repeat(100_000),
  '😀'.repeat(50_000),
  `https://ecs.example.com/${'x'.repeat(100_000)}`,
  `https://${'a'.repeat(100_000)}.com`,
  'f'.repeat(100_000),
];
const pathTricks = [
  '', '.', '..', '/', '../..', '%2F', '%2f', '%2e%2e', '%00', '?x=1', '#frag', ' ', '\t', '\n', '\r\n', '\r\nX-Injected: 1',
  '\u0000', '\u007f', '\u0085', '\u2028', '\u202e', '\ufeff', '\ud800', '😀', 'ｆｆ', '٣', 'İ', 'ß', '\\', '@', ':', ';', '*',
];
const controlChars = fc.string({
  unit: fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 8,
});
const unicode = fc.string({ unit: 'binary', maxLength: 40 });
const throwingToString = { toString: () => { throw new Error('toString exploded'); } };
const nonStrings = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.bigInt(),
  fc.constant(null),
  fc.constant(Symbol('fuzz')),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
  fc.object({ maxDepth: 1, maxKeys: 2 }),
  fc.constant(throwingToString),
  fc.constant(() => 'a function'),
  fc.constant(new Date(Number.NaN)),
);

/** `valid` with something spliced in at a random place. */
const mutated = (valid: fc.Arbitrary<string>) =>
  fc
    .tuple(valid, fc.nat(), fc.oneof(fc.constantFrom(...pathTricks), controlChars, unicode, fc.constantFrom('g', 'G', 'Z', '-', '0')))
    .map(([value, at, insert]) => value.slice(0, at % (value.length + 1)) + insert + value.slice(at % (value.length + 1)));

/** Anything a careless or hostile caller might pass where `valid` is expected (sometimes still valid). */
const nasty = (valid: fc.Arbitrary<string>) =>
  fc.oneof(
    unicode,
    controlChars,
    fc.constantFrom(...hugeStrings),
    fc.constantFrom(...pathTricks),
    nonStrings,
    mutated(valid),
    valid.map((v) => v.toUpperCase()),
    valid.map((v) => ` ${v}`),
    valid.map((v) => `${v}\n`),
    valid.map((v) => v.slice(1)),
  );
/** A nasty value that `isValid` (the spec, or the documented rule) refuses. `null` means "default" for `??` options. */
const invalid = (valid: fc.Arbitrary<string>, isValid: (v: unknown) => boolean, nullIsDefault = false) =>
  nasty(valid).filter((v) => !isValid(v) && !(nullIsDefault && v === null) && v !== undefined);

const validServerId = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));
const validProjectId = hex(32);
const validRequestId = fc.uuid().map((u) => `req-${u.toLowerCase()}`);
const validMicroversion = fc.oneof(fc.constant('latest'), fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 999 })).map(([a, b]) => `${a}.${b}`));
const validCredential = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 120 });
const validUserAgent = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 80 }).filter((s) => s.trim() === s && s !== '');
const validEndpoint = fc.oneof(
  fc.constantFrom(
    'https://ecs.cn-north-4.myhuaweicloud.com',
    'https://ecs.ap-southeast-1.myhuaweicloud.com/',
    'HTTPS://ECS.EU-WEST-101.MYHUAWEICLOUD.EU',
    'https://ecs.example.com:8443',
    'https://ecs.example.com:443/',
    'http://127.0.0.1:8080',
    'http://localhost:1',
    'http://[::1]:9',
    'http://127.1.2.3',
    'https://[2001:db8::1]',
    'https://例え.テスト',
    'https://xn--r8jz45g.xn--zckzah',
  ),
  fc.domain().map((domain) => `https://${domain}`),
  fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([ip, port]) => `https://${ip}:${port}`),
);
const invalidEndpoint = fc.oneof(
  fc.constantFrom(
    '', 'ecs.cn-north-4.myhuaweicloud.com', '//ecs.example.com', 'ftp://ecs.example.com', 'file:///etc/passwd', 'javascript:alert(1)',
    'data:text/plain,x', 'ws://ecs.example.com', 'http://ecs.example.com', 'http://10.0.0.1', 'https://user:pass@ecs.example.com',
    'https://user@ecs.example.com', 'https://ecs.example.com/v2.1', 'https://ecs.example.com/..x', 'https://ecs.example.com/%2e%2e%2f',
    'https://ecs.example.com?', 'https://ecs.example.com?x=1', 'https://ecs.example.com#', 'https://ecs.example.com#x',
    'https://evil.example.com\\@ecs.example.com', 'https://ecs.example.com:65536', 'https://ecs example.com', 'https://', 'https:',
    'https://[::1', 'http://127.0.0.1:8080/path', 'https://ecs.example.com/\u0000x', 'https://ecs.example.com/ x',
  ),
  fc.tuple(validEndpoint, fc.constantFrom('/v2.1', '/x/', '?q', '#f', '/%2F', '/..%2F')).map(([e, tail]) => e.replace(/\/$/, '') + tail),
  fc.constantFrom(...hugeStrings.filter((s) => !s.startsWith('https://'))),
  nonStrings.filter((v) => v !== null),
  controlChars,
);
const validRegion = fc.constantFrom(...regions);
const isValidRegion = (v: unknown) => (regions as readonly unknown[]).includes(v);

// ---------------------------------------------------------------------------------------------
// Scenarios: each option drawn valid or invalid, and the field an EcsInputError must then name

interface Choice {
  /** Option key → value (ABSENT to leave out). */
  set: Record<string, Drawn>;
  /** The EcsInputError.field this choice must produce when it is the only invalid one, `undefined` when valid. */
  field: string | undefined;
}

const ok = (set: Record<string, Drawn>): Choice => ({ set, field: undefined });
const bad = (field: string, set: Record<string, Drawn>): Choice => ({ set, field });
const maybe = <T,>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant<typeof ABSENT>(ABSENT), arb);

type AuthSpec =
  | { kind: 'token'; token: Drawn }
  | { kind: 'tokenFn'; token: Drawn }
  | { kind: 'aksk'; creds: Drawn }
  | { kind: 'object'; value: Drawn };

/**
 * Per option: `valid` values, surely `invalid` ones (by the spec's schema or the documented rule),
 * and, for strings, `wild` ones (nasty, but possibly valid by chance: the client decides).
 */
interface FieldSpec {
  valid: fc.Arbitrary<Choice>;
  invalid: fc.Arbitrary<Choice>;
  wild?: fc.Arbitrary<Choice>;
}
const fields = {
  location: {
    valid: fc.oneof(
      validEndpoint.map((endpoint) => ok({ endpoint })),
      validRegion.map((region) => ok({ region })),
      fc.constant(ok({ endpoint: 'http://ecs.internal.example', allowInsecureHttp: true })),
    ),
    invalid: fc.oneof(
      invalidEndpoint.map((endpoint) => bad('endpoint', { endpoint })),
      invalid(validRegion, isValidRegion).map((region) => bad('region', { region })),
      fc.tuple(validEndpoint, validRegion).map(([endpoint, region]) => bad('endpoint', { endpoint, region })),
      fc.constant(bad('endpoint', {})),
    ),
    wild: fc.oneof(
      fc.tuple(fc.oneof(nasty(validEndpoint), fc.webUrl({ withQueryParameters: true, withFragments: true })), fc.boolean()).map(([endpoint, allowInsecureHttp]) =>
        bad('endpoint', { endpoint, allowInsecureHttp }),
      ),
      nasty(validRegion).map((region) => bad('region', { region })),
    ),
  },
  projectId: {
    valid: validProjectId.map((projectId) => ok({ projectId })),
    invalid: fc.oneof(invalid(validProjectId, spec.projectId), fc.constant(undefined)).map((projectId) => bad('projectId', { projectId })),
    wild: nasty(validProjectId).map((projectId) => bad('projectId', { projectId })),
  },
  auth: {
    valid: fc.oneof(
      validCredential.map((token) => ok({ auth: { kind: 'token', token } satisfies AuthSpec })),
      validCredential.map((token) => ok({ auth: { kind: 'tokenFn', token } satisfies AuthSpec })),
      fc.record({ ak: validCredential, sk: validCredential, securityToken: maybe(validCredential) }).map(({ securityToken, ...creds }) =>
        ok({ auth: { kind: 'aksk', creds: securityToken === ABSENT ? creds : { ...creds, securityToken } } satisfies AuthSpec }),
      ),
    ),
    invalid: fc.oneof(
      invalid(validCredential, visibleAscii).map((token) => bad('auth.token', { auth: { kind: 'token', token } satisfies AuthSpec })),
      invalid(validCredential, visibleAscii).map((token) => bad('auth.token', { auth: { kind: 'tokenFn', token } satisfies AuthSpec })),
      fc.tuple(validCredential, validCredential, invalid(validCredential, visibleAscii), fc.constantFrom('ak', 'sk', 'securityToken')).map(
        ([a, b, wrong, which]) => bad(`auth.${which}`, { auth: { kind: 'aksk', creds: { ak: a, sk: b, [which]: wrong } } satisfies AuthSpec }),
      ),
      nonStrings.map((creds) => bad('auth', { auth: { kind: 'aksk', creds } satisfies AuthSpec })).filter((c) => {
        const creds = (c.set.auth as { creds: unknown }).creds;
        return typeof creds !== 'object' || creds === null;
      }),
      fc.oneof(
        nonStrings,
        fc.constantFrom<unknown>('token', { middleware: {} }, { kind: 'token', middleware: { onRequest: 5 } }, { middleware: null }, undefined),
      ).map((value) => bad('auth', { auth: { kind: 'object', value } satisfies AuthSpec })),
    ),
    wild: fc.oneof(
      nasty(validCredential).map((token) => bad('auth.token', { auth: { kind: 'token', token } satisfies AuthSpec })),
      fc.tuple(nasty(validCredential), nasty(validCredential)).map(([ak, sk]) => bad('auth', { auth: { kind: 'aksk', creds: { ak, sk } } satisfies AuthSpec })),
    ),
  },
  apiVersion: {
    valid: maybe(fc.constantFrom('v2', 'v2.1')).map((apiVersion) => ok({ apiVersion })),
    invalid: invalid(fc.constantFrom('v2', 'v2.1', 'v3', 'V2.1'), (v) => v === 'v2' || v === 'v2.1', true).map((apiVersion) => bad('apiVersion', { apiVersion })),
    wild: nasty(fc.constantFrom('v2', 'v2.1')).filter((v) => v !== null).map((apiVersion) => bad('apiVersion', { apiVersion })),
  },
  microversion: {
    // Only on v2.1: dropped from valid scenarios on v2 (see `assemble`).
    valid: maybe(validMicroversion).map((microversion) => ok({ microversion })),
    invalid: fc
      .oneof(invalid(validMicroversion, spec.microversion), fc.constantFrom('2.060', '02.1', '2', '2.1.1', 'LATEST', 'latest ', '2.1000000000000000'))
      .filter((v) => !spec.microversion(v))
      .map((microversion) => bad('microversion', { microversion })),
    wild: nasty(validMicroversion).map((microversion) => bad('microversion', { microversion })),
  },
  timeoutMs: {
    valid: maybe(fc.integer({ min: 1, max: 2 ** 31 - 1 })).map((timeoutMs) => ok({ timeoutMs })),
    invalid: fc
      .oneof(fc.constantFrom(0, -1, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 31, '100', true, [1]), fc.double(), fc.integer({ max: 0 }))
      .filter((v) => !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 2 ** 31 - 1))
      .map((timeoutMs) => bad('timeoutMs', { timeoutMs })),
  },
  retry: {
    valid: fc
      .oneof(
        fc.constant<unknown>(ABSENT),
        fc.constant(false),
        fc.record(
          { retries: fc.integer({ min: 0, max: 10 }), baseDelayMs: fc.integer({ min: 0, max: 600_000 }), maxDelayMs: fc.integer({ min: 0, max: 600_000 }) },
          { requiredKeys: [] },
        ),
      )
      .map((retry) => ok({ retry })),
    invalid: fc.oneof(
      fc.constantFrom(0, 1, 2, true, 'yes', Symbol('retry')).map((retry) => bad('retry', { retry })),
      fc
        .tuple(fc.constantFrom('retries', 'baseDelayMs', 'maxDelayMs'), fc.oneof(fc.constantFrom<unknown>(-1, 1.5, Number.NaN, Infinity, '2', true, [1]), fc.integer({ min: 600_001 }), fc.integer({ max: -1 })))
        .map(([key, value]) => bad(`retry.${key}`, { retry: { [key]: value } })),
      fc.integer({ min: 11, max: 600_000 }).map((retries) => bad('retry.retries', { retry: { retries } })),
    ),
  },
  userAgent: {
    valid: maybe(validUserAgent).map((userAgent) => ok({ userAgent })),
    invalid: invalid(validUserAgent, printableAscii, true).map((userAgent) => bad('userAgent', { userAgent })),
    wild: nasty(validUserAgent).map((userAgent) => bad('userAgent', { userAgent })),
  },
  fetch: {
    valid: fc.constant(ok({})),
    invalid: fc.constantFrom<unknown>('fetch', 1, {}, null, true).map((fetch) => bad('fetch', { fetch })),
  },
  // stopServer's arguments
  serverId: {
    valid: validServerId.map((serverId) => ok({ serverId })),
    invalid: fc.oneof(invalid(validServerId, spec.serverId), fc.constant(undefined)).map((serverId) => bad('serverId', { serverId })),
    wild: nasty(validServerId).map((serverId) => bad('serverId', { serverId })),
  },
  type: {
    valid: maybe(fc.constantFrom('SOFT', 'HARD')).map((type) => ok({ type })),
    invalid: invalid(fc.constantFrom('SOFT', 'HARD', 'soft', 'FORCE'), spec.stopType).map((type) => bad('type', { type })),
    wild: nasty(fc.constantFrom('SOFT', 'HARD')).map((type) => bad('type', { type })),
  },
  requestId: {
    valid: maybe(validRequestId).map((requestId) => ok({ requestId })),
    invalid: invalid(validRequestId, spec.requestId).map((requestId) => bad('requestId', { requestId })),
    wild: nasty(validRequestId).map((requestId) => bad('requestId', { requestId })),
  },
  ifAlreadyStopped: {
    valid: maybe(fc.constantFrom('ok', 'error')).map((ifAlreadyStopped) => ok({ ifAlreadyStopped })),
    invalid: invalid(fc.constantFrom('ok', 'error', 'OK', 'ignore'), (v) => v === 'ok' || v === 'error', true).map((ifAlreadyStopped) =>
      bad('ifAlreadyStopped', { ifAlreadyStopped }),
    ),
  },
  wait: {
    valid: fc
      .oneof(
        fc.constant<unknown>(ABSENT),
        fc.constant(false),
        fc.constant(true),
        fc.record({ timeoutMs: fc.integer({ min: 1, max: 600_000 }), intervalMs: fc.integer({ min: 1, max: 600_000 }), maxIntervalMs: fc.integer({ min: 1, max: 600_000 }), onProgress: fc.constant(() => {}) }, { requiredKeys: [] }),
      )
      .map((wait) => ok({ wait })),
    invalid: fc.oneof(
      fc.constantFrom<unknown>(0, 1, null, 'yes', Symbol('wait')).map((wait) => bad('wait', { wait })),
      fc
        .tuple(fc.constantFrom('timeoutMs', 'intervalMs', 'maxIntervalMs'), fc.constantFrom(0, -1, 1.5, Number.NaN, '10', 600_001, 2 ** 31))
        .filter(([key, value]) => !(key === 'timeoutMs' && value === 600_001))
        .map(([key, value]) => bad(`wait.${key}`, { wait: { [key]: value } })),
      fc.constantFrom<unknown>(5, 'log', {}).map((onProgress) => bad('wait.onProgress', { wait: { onProgress } })),
    ),
  },
  signal: {
    valid: fc.oneof(fc.constant(ok({ signal: ABSENT })), fc.constant(ok({ signal: 'live-signal' }))),
    invalid: fc.constantFrom<unknown>('signal', {}, { aborted: false }, 1, null).map((signal) => bad('signal', { signal })),
  },
  stopOptions: {
    valid: fc.constant(ok({})),
    invalid: fc.constantFrom<unknown>(null, 'HARD', 1, true).map((stopOptions) => bad('options', { stopOptions })),
  },
} satisfies Record<string, FieldSpec>;
type FieldName = keyof typeof fields;
const fieldSpec = (name: FieldName): FieldSpec => fields[name];
const fieldNames = Object.keys(fields) as FieldName[];

/** The option an EcsInputError.field belongs to. */
function groupOf(field: string): FieldName | undefined {
  if (field === 'endpoint' || field === 'region') return 'location';
  if (field === 'auth' || field.startsWith('auth.')) return 'auth';
  if (field.startsWith('retry')) return 'retry';
  if (field.startsWith('wait')) return 'wait';
  if (field === 'options') return 'stopOptions';
  return (fieldNames as string[]).includes(field) ? (field as FieldName) : undefined;
}

type Mode = 'valid' | 'invalid' | 'wild';
interface Scenario {
  choices: Record<FieldName, Choice>;
  modes: Record<FieldName, Mode>;
}

/** One scenario: every option drawn in the mode `modes` gives it. */
const scenario = (modes: fc.Arbitrary<Record<FieldName, Mode>>) =>
  modes.chain((mode) =>
    fc
      .record(Object.fromEntries(fieldNames.map((name) => [name, fieldSpec(name)[mode[name]] ?? fieldSpec(name).valid])) as Record<FieldName, fc.Arbitrary<Choice>>)
      .map((choices): Scenario => ({ choices, modes: mode })),
  );
const allModes = (pick: (name: FieldName) => fc.Arbitrary<Mode>) =>
  fc.record(Object.fromEntries(fieldNames.map((name) => [name, pick(name)])) as Record<FieldName, fc.Arbitrary<Mode>>);

function makeAuth(spec: AuthSpec): unknown {
  switch (spec.kind) {
    case 'token':
      return tokenAuth(spec.token as string);
    case 'tokenFn':
      return tokenAuth(() => spec.token as string);
    case 'aksk':
      return akskAuth(spec.creds as { ak: string; sk: string });
    case 'object':
      return spec.value;
  }
}

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

function recorder() {
  const sent: Sent[] = [];
  return {
    sent,
    fetch: async (request: Request): Promise<Response> => {
      sent.push({ url: request.url, method: request.method, headers: request.headers, body: await request.text() });
      if (request.method === 'GET') {
        return new Response(JSON.stringify({ server: { id: 'x', status: 'SHUTOFF' } }), { status: 200, headers: { 'Content-Type': 'application/json' } });
      }
      return new Response(null, { status: 202 });
    },
  };
}

const knownFields = new Set([
  'options', 'endpoint', 'region', 'projectId', 'auth', 'auth.token', 'auth.ak', 'auth.sk', 'auth.securityToken', 'apiVersion',
  'microversion', 'userAgent', 'timeoutMs', 'retry', 'retry.retries', 'retry.baseDelayMs', 'retry.maxDelayMs', 'fetch', 'serverId', 'type',
  'requestId', 'wait', 'wait.timeoutMs', 'wait.intervalMs', 'wait.maxIntervalMs', 'wait.onProgress', 'ifAlreadyStopped', 'signal',
]);

type Verdict = { refused: EcsInputError } | { accepted: StopServerResult };

/** Runs a scenario and checks the safety property; returns how it ended. */
async function runScenario({ choices }: Scenario): Promise<Verdict> {
  tally.cases++;
  tally.inputCases++;
  const all = Object.assign({}, ...fieldNames.map((name) => choices[name].set)) as Record<string, Drawn>;
  const { serverId, type, requestId, ifAlreadyStopped, wait, signal, stopOptions, auth: authSpec, ...clientSet } = all;
  const rec = recorder();
  // Drop a valid microversion on v2 (it is only taken on v2.1), unless the microversion is the invalid one.
  if (clientSet.apiVersion === 'v2' && choices.microversion.field === undefined) clientSet.microversion = ABSENT;
  if (clientSet.allowInsecureHttp === undefined) clientSet.allowInsecureHttp = ABSENT;
  const options: Record<string, unknown> = { fetch: rec.fetch };
  for (const [key, value] of Object.entries(clientSet)) if (value !== ABSENT) options[key] = value;
  const stop: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ type, requestId, ifAlreadyStopped, wait, signal })) {
    if (value !== ABSENT) stop[key] = value === 'live-signal' ? new AbortController().signal : value;
  }

  let verdict: Verdict;
  try {
    if (authSpec !== undefined) options.auth = makeAuth(authSpec as AuthSpec);
    const client = createEcsClient(options as unknown as EcsClientOptions);
    const args = stopOptions === undefined ? stop : stopOptions;
    verdict = { accepted: await client.stopServer(serverId as string, args as StopServerOptions) };
    checkRequests(rec.sent, client.endpoint, options, serverId, stop);
  } catch (error) {
    if (!(error instanceof EcsInputError)) throw error;
    verdict = { refused: error };
    expect(knownFields, `unknown field ${error.field}`).toContain(error.field);
    expect(error.message.startsWith(`${error.field} `)).toBe(true);
    // The value is never echoed: short messages (but for the list of regions an unknown one is told), no control characters.
    expect(error.message.replace(regions.join(', '), '').length).toBeLessThan(200);
    expect(error.message).not.toMatch(/[\p{Cc}]/u);
    // Nothing was sent.
    expect(rec.sent).toEqual([]);
  }
  if ('refused' in verdict) tally.refused++;
  else tally.accepted++;
  return verdict;
}

/** What an accepted call must have sent: one POST to the action URL (and, with `wait`, one GET of the server). */
function checkRequests(sent: Sent[], endpoint: string, options: Record<string, unknown>, serverId: unknown, stop: Record<string, unknown>) {
  const waiting = stop.wait !== undefined && stop.wait !== false;
  expect(sent).toHaveLength(waiting ? 2 : 1);
  let expectedOrigin: string;
  if (typeof options.endpoint === 'string') {
    const url = new URL(options.endpoint);
    expectedOrigin = url.origin;
    // https, or http to loopback, or http with allowInsecureHttp; never user info.
    expect(url.protocol === 'https:' || (url.protocol === 'http:' && (options.allowInsecureHttp === true || /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname)))).toBe(true);
    expect([url.username, url.password]).toEqual(['', '']);
  } else {
    expect(regions).toContain(options.region);
    expectedOrigin = `https://ecs.${String(options.region)}.myhuaweicloud.com`;
  }
  expect(endpoint).toBe(expectedOrigin);
  const version = (options.apiVersion as string | undefined) ?? 'v2.1';
  // The ids are what the spec allows, and go into the path unchanged.
  expect(spec.projectId(options.projectId)).toBe(true);
  expect(spec.serverId(serverId)).toBe(true);
  const post = sent[0]!;
  expect(post.method).toBe('POST');
  expect(post.url).toBe(`${expectedOrigin}/${version}/${String(options.projectId)}/servers/${String(serverId)}/action`);
  const url = new URL(post.url);
  expect([url.origin, url.search, url.hash, url.username, url.password]).toEqual([expectedOrigin, '', '', '', '']);
  const body: unknown = JSON.parse(post.body);
  expect(spec.stopRequest(body)).toBe(true);
  expect(body).toEqual({ 'os-stop': stop.type === undefined ? {} : { type: stop.type } });
  expect(post.headers.get('x-project-id')).toBe(options.projectId);
  expect(post.headers.get('x-openstack-request-id')).toBe((stop.requestId as string | undefined) ?? null);
  expect(post.headers.get('x-openstack-nova-api-version')).toBe((options.microversion as string | undefined) ?? null);
  if (options.microversion !== undefined) expect(spec.microversion(options.microversion)).toBe(true);
  if (stop.requestId !== undefined) expect(spec.requestId(stop.requestId)).toBe(true);
  if (typeof options.userAgent === 'string') expect(post.headers.get('user-agent')).toBe(options.userAgent.trim());
  const token = post.headers.get('x-auth-token');
  if (token !== null) expect(token).toMatch(/^[\x21-\x7e]+$/);
  else expect(post.headers.get('authorization')).toMatch(/^SDK-HMAC-SHA256 Access=[\x21-\x7e]+, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$/);
  if (waiting) {
    expect(sent[1]!.method).toBe('GET');
    expect(sent[1]!.url).toBe(`${expectedOrigin}/${version}/${String(options.projectId)}/servers/${String(serverId)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Input properties

describe('fuzzing the inputs', () => {
  it(`mixed valid, invalid and wild inputs: an EcsInputError naming a bad input, or one well-formed request (${runs.mixed} runs)`, async () => {
    const before = { ...tally };
    const modes = allModes((name) =>
      fc.oneof({ weight: 12, arbitrary: fc.constant<Mode>('valid') }, { weight: 1, arbitrary: fc.constant<Mode>('invalid') }, { weight: fieldSpec(name).wild ? 2 : 0, arbitrary: fc.constant<Mode>('wild') }),
    );
    await fc.assert(
      fc.asyncProperty(scenario(modes), async (s) => {
        const verdict = await runScenario(s);
        const invalidFields = fieldNames.filter((name) => s.modes[name] === 'invalid');
        if ('refused' in verdict) {
          // Only an input drawn invalid or wild may be refused; a valid one never is.
          expect(['invalid', 'wild'], `refused ${verdict.refused.field}`).toContain(s.modes[groupOf(verdict.refused.field)!]);
        } else {
          // A surely invalid input is never accepted.
          expect(invalidFields).toEqual([]);
        }
      }),
      { seed, numRuns: runs.mixed },
    );
    expect(tally.cases - before.cases).toBe(runs.mixed);
  }, 300_000);

  it(`valid inputs are always accepted, with one well-formed request (${runs.valid} runs)`, async () => {
    const before = { ...tally };
    await fc.assert(
      fc.asyncProperty(scenario(allModes(() => fc.constant<Mode>('valid'))), async (s) => {
        const verdict = await runScenario(s);
        expect('accepted' in verdict ? verdict.accepted.status : verdict.refused.message).toBe(202);
      }),
      { seed: seed + 1, numRuns: runs.valid },
    );
    expect(tally.cases - before.cases).toBe(runs.valid);
    expect(tally.accepted - before.accepted).toBe(runs.valid);
  }, 300_000);

  it(`one surely invalid input is always refused, naming that input, before anything is sent (${runs.invalid} runs)`, async () => {
    const before = { ...tally };
    const oneInvalid = fc.constantFrom(...fieldNames).chain((bad) => allModes((name) => fc.constant<Mode>(name === bad ? 'invalid' : 'valid')));
    await fc.assert(
      fc.asyncProperty(scenario(oneInvalid), async (s) => {
        tally.invalidTried++;
        const verdict = await runScenario(s);
        const name = fieldNames.find((n) => s.modes[n] === 'invalid')!;
        expect('refused' in verdict ? verdict.refused.field : 'accepted').toBe(s.choices[name].field);
        tally.invalidRefused++;
      }),
      { seed: seed + 2, numRuns: runs.invalid },
    );
    expect(tally.cases - before.cases).toBe(runs.invalid);
    expect(tally.refused - before.refused).toBe(runs.invalid);
  }, 300_000);
});

// ---------------------------------------------------------------------------------------------
// Response property


function build(r: ResponseSpec): Response {
  const nullBody = r.status === 204 || r.status === 205 || r.status === 304;
  return new Response(nullBody ? null : (r.body as ConstructorParameters<typeof Response>[0]), { status: r.status, headers: r.headers });
}

describe('fuzzing the responses', () => {
  it(`any status, headers and body: a 202/204 result or an EcsApiError with that status, nothing else (${runs.responses} runs)`, async () => {
    const before = { ...tally };
    await fc.assert(
      fc.asyncProperty(
        fc.array(responseSpec, { minLength: 1, maxLength: 3 }),
        fc.constantFrom<'stop' | 'stop-idempotent' | 'get'>('stop', 'stop', 'stop-idempotent', 'get'),
        async (sequence, call) => {
          tally.cases++;
          tally.responseCases++;
          let calls = 0;
          const client = createEcsClient({
            endpoint: 'https://ecs.example.com',
            projectId: PROJECT,
            auth: tokenAuth('fuzz-token'),
            retry: { retries: sequence.length - 1, baseDelayMs: 0, maxDelayMs: 0 },
            fetch: async () => {
              const spec = sequence[calls++];
              if (spec === undefined) throw new Error('called more often than retries allow');
              return build(spec);
            },
          });
          const serverId = SERVER;
          let outcome: { value: StopServerResult | Server } | { error: unknown };
          try {
            outcome = {
              value:
                call === 'get'
                  ? await client.getServer(serverId)
                  : await client.stopServer(serverId, call === 'stop-idempotent' ? { ifAlreadyStopped: 'ok' } : {}),
            };
          } catch (error) {
            outcome = { error };
          }
          // Retries: only after 429 and 503, and never past the cap.
          expect(calls).toBeGreaterThanOrEqual(1);
          const consumed = sequence.slice(0, calls);
          const last = consumed[consumed.length - 1]!;
          for (const earlier of consumed.slice(0, -1)) expect([429, 503]).toContain(earlier.status);
          if (last.status === 429 || last.status === 503) expect(calls).toBe(sequence.length);
          const lastHeaders = new Headers(last.headers);
          const headerIds = ['x-openstack-request-id', 'x-compute-request-id', 'x-request-id'].map((name) => lastHeaders.get(name));

          if ('value' in outcome) {
            tally.resolved++;
            if (call === 'get') {
              expect(last.status).toBe(200);
              expect(typeof (outcome.value as Server).status).toBe('string');
            } else {
              const result = outcome.value as StopServerResult;
              if (result.status === 409) {
                // ifAlreadyStopped: 'ok' made an "already stopped" error a success.
                expect([call, result.alreadyStopped]).toEqual(['stop-idempotent', true]);
              } else {
                expect(result).toMatchObject({ status: last.status, alreadyStopped: false });
                expect([202, 204]).toContain(result.status);
                expect([undefined, ...headerIds]).toContain(result.requestId);
              }
            }
            return;
          }
          tally.typedErrors++;
          const { error } = outcome;
          expect(error, String(error)).toBeInstanceOf(EcsApiError);
          const e = error as EcsApiError;
          expect(e.status).toBe(last.status);
          expect(allowedKinds).toContain(e.kind);
          expect(typeof e.message).toBe('string');
          expect(e.message.length).toBeGreaterThan(0);
          if (e.kind === 'http' && !(call === 'get' && last.status === 200)) expect(e.message).toBe(`HTTP ${last.status}`);
          // The request ID comes from a response header, or from the gateway body's request_id.
          if (e.requestId !== undefined) {
            const inBody = typeof last.body === 'string' && last.body.includes(JSON.stringify(e.requestId).slice(1, -1));
            expect(headerIds.includes(e.requestId) || inBody).toBe(true);
          }
          if (e.retryAfter !== undefined) expect(Number.isFinite(e.retryAfter) && e.retryAfter >= 0).toBe(true);
          if (e.code !== undefined) expect(typeof e.code).toBe('string');
          if (e.requestId !== undefined) expect(typeof e.requestId).toBe('string');
          if (call !== 'get') expect([202, 204]).not.toContain(last.status);
          expect(() => JSON.stringify(e)).not.toThrow();
        },
      ),
      { seed: seed + 3, numRuns: runs.responses },
    );
    expect(tally.cases - before.cases).toBe(runs.responses);
  }, 300_000);
});
