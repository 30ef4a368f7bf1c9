/**
 * What the tests share: the IDs and credentials they use, an injected `fetch` and a client on it
 * (no network), an auth called directly, and ways to catch what a call throws.
 */
import { inspect } from 'node:util';
import type { Middleware } from 'openapi-fetch';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { createEcsClient, EcsApiError, type AuthContext, type EcsAuth, type EcsClientOptions, tokenAuth } from '../../src/index.js';

export const PROJECT = '77b6a44cba5143ab91d13ab9a8ff44fd';
export const SERVER = '4d8c3732-a248-40ed-bebc-539a6ffd25c0';
export const ENDPOINT = 'https://ecs.cn-north-4.myhuaweicloud.com';
export const TOKEN = 'tok-abc';
/** Huawei's published signing test vector's credentials (the API signing guide; facts.md §4). */
export const VECTOR_AK = 'QTWAOYTTINDUT2QVKYUC';
export const VECTOR_SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';

/** A promise that never settles: a server, a fetch or a token provider that hangs. */
export const never = <T = never>(): Promise<T> => new Promise<T>(() => {});

export type Handler = (request: Request, call: number) => Response | Promise<Response>;

/** Records each Request (and its body text) and answers with `handler` (by default 202). */
export function fakeFetch(handler: Handler = () => new Response(null, { status: 202 })) {
  const requests: Request[] = [];
  const bodies: string[] = [];
  return {
    requests,
    bodies,
    fetch: async (request: Request): Promise<Response> => {
      requests.push(request);
      bodies.push(await request.clone().text());
      return handler(request, requests.length);
    },
  };
}

/** A client on `fetch` with token auth and no retries, unless `extra` says otherwise. */
export function makeClient(fetch: (request: Request) => Promise<Response>, extra: Partial<EcsClientOptions> = {}) {
  return createEcsClient({ endpoint: ENDPOINT, projectId: PROJECT, auth: tokenAuth(TOKEN), retry: false, fetch, ...extra });
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export async function apiError(promise: Promise<unknown>): Promise<EcsApiError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(EcsApiError);
  return error as EcsApiError;
}

/** An AuthContext for calling an auth directly, as the client would, with nothing else around. */
export function authContext(overrides: Partial<AuthContext> = {}): AuthContext {
  return {
    signal: new AbortController().signal,
    fetch: () => Promise.reject(new Error('this auth context sends nothing')),
    registerSecret: () => {},
    ...overrides,
  };
}

/** `auth.authorize` with a fresh context. */
export const authorize = (auth: EcsAuth, request: Request): Promise<Request> => Promise.resolve(auth.authorize(request, authContext()));

/** An auth as openapi-fetch middleware, for a bare openapi-fetch client. */
export const asMiddleware = (auth: EcsAuth): Middleware => ({ onRequest: ({ request }) => authorize(auth, request) });

// Time and order without the wall clock.

/**
 * For `vi.useFakeTimers(FAKE_CLOCK)`: fakes what the client times itself with (setTimeout,
 * setInterval and Date), and leaves setImmediate, queueMicrotask, nextTick and performance real,
 * so that `nextTurn()` still lets already-queued work run while the clock stands still.
 */
export const FAKE_CLOCK: { toFake: ('setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval' | 'Date')[] } = {
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
};

/** One real turn of the event loop: every microtask queued before it has run. No clock involved. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Fails each test of the file that leaves an unhandled rejection behind (checked per test, so that each runs alone). */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeAll(() => void process.on('unhandledRejection', onUnhandled));
  afterAll(() => void process.off('unhandledRejection', onUnhandled));
  afterEach(async () => {
    await nextTurn();
    expect(unhandled.splice(0)).toEqual([]);
  });
}

/** Whether `promise` has settled once the work already queued has run (a fake clock does not move). */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await nextTurn();
  await nextTurn();
  return done;
}

/** On the fake clock: `promise` is still pending `ms - 1` after now, and has settled at `ms`. */
export async function expectSettlesAt(promise: Promise<unknown>, ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms - 1);
  expect(await settled(promise)).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(await settled(promise)).toBe(true);
}

/** Runs event-loop turns until `condition()` holds; fails after `turns` of them (a count, not a time). */
export async function until(condition: () => boolean, what: string, turns = 1_000): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    if (condition()) return;
    await nextTurn();
  }
  throw new Error(`${what}: not reached within ${turns} event-loop turns`);
}

/** A promise and its resolve, for "this has happened" (Node 20 has no Promise.withResolvers). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

// ---------------------------------------------------------------------------------------------
// Servers and failures several test files stage

/** A security token (temporary AK/SK credentials) for tests that need one sent. */
export const SECURITY_TOKEN = 'sts-gQpjbi1ub3J0aC00jDf4b2y9NTa1';

/** A fetch that honours its signal but never answers on its own: a silent server. */
export const silentFetch = (request: Request): Promise<Response> =>
  new Promise<Response>((_, reject) => {
    if (request.signal.aborted) reject(request.signal.reason);
    request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
  });

/** What undici throws when no response came: `fetch failed`, its cause carrying the system error `code`. */
export const fetchFailed = (code: string, message = `${code} (test)`): TypeError =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });

/** A Nova server read's body (`{"server": ...}`) in `status`, with `extra` fields. */
export const serverBody = (status: string, extra: Record<string, unknown> = {}) => ({
  server: {
    id: SERVER,
    name: 'vm',
    status,
    'OS-EXT-STS:vm_state': status === 'SHUTOFF' ? 'stopped' : 'active',
    'OS-EXT-STS:task_state': null,
    ...extra,
  },
});

/** 202 to the stop (POST), `read` to every server read (GET). */
export const stopThenRead =
  (read: Handler): Handler =>
  (request, call) =>
    request.method === 'POST' ? new Response(null, { status: 202 }) : read(request, call);

// ---------------------------------------------------------------------------------------------
// The secret sweep (unit/secrets.test.ts, integration/secrets.test.ts)

/**
 * The secrets the sweep plants: random-looking, so that any 12 characters of one found in an
 * output are a leak, never a coincidence. `vault` is what a failing token provider quotes.
 */
export const SWEEP_SECRETS = {
  token: 'MIIt0kenQ7vXz2LkP9rWs4Yb8Nc1Hd6Jf3Tg',
  sk: 'sK5ecretW7mQ2xZ9pL4vB8nR1tY6uI3oE0aSd',
  'security token': 'sTs9ecretA1bC2dE3fG4hI5jK6lM7nO8pQ9rU',
  password: 'pW0rdH7kQ2mX9vL4zB8nR1tY6cF3gJ5sDq',
  vault: 'vAu1tSecr3tE7rT2yU9iO4pA6sD8fG1hJk',
} as const;
/** The sweep's access key: public (sent in the clear in `Authorization`), so never looked for. */
export const SWEEP_AK = 'AKPUBLICSWEEP000001';

/** How many characters of a secret make a leak. */
const LEAK_WINDOW = 12;

/** The secrets (by name) that `text` shows, whole or any 12 characters of one. */
export function leaksIn(text: string, secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    if (text.includes(secret)) {
      found.push(`the ${name}`);
      continue;
    }
    for (let at = 0; at + LEAK_WINDOW <= secret.length; at++) {
      const piece = secret.slice(at, at + LEAK_WINDOW);
      if (text.includes(piece)) {
        found.push(`part of the ${name} (${piece})`);
        break;
      }
    }
  }
  return found;
}

/**
 * Every way a value is shown to a user or a log: `String()`, `JSON.stringify()`, `util.inspect()`
 * (hidden properties, any depth, with and without custom inspection), and the `message` and
 * `stack` of it and of every error of its `cause` chain (each cause also by `String()` and
 * `util.inspect()`). A rendering that throws is shown by what it threw.
 */
export function renderings(value: unknown): Record<string, string> {
  const shown: Record<string, string> = {};
  const render = (how: string, show: () => unknown) => {
    try {
      const text = show();
      if (text !== undefined) shown[how] = String(text);
    } catch (error) {
      shown[how] = `<threw ${String(error)}>`;
    }
  };
  render('String()', () => String(value));
  render('JSON.stringify()', () => JSON.stringify(value));
  render('util.inspect()', () => inspect(value, { showHidden: true, depth: Infinity }));
  render('util.inspect(customInspect: false)', () => inspect(value, { showHidden: true, depth: Infinity, customInspect: false }));
  let link: unknown = value;
  for (let depth = 0; typeof link === 'object' && link !== null && depth < 6; depth++) {
    const at = depth === 0 ? '' : `${'cause.'.repeat(depth)}`;
    const { message, stack } = link as { message?: unknown; stack?: unknown };
    if (typeof message === 'string') shown[`${at}message`] = message;
    if (typeof stack === 'string') shown[`${at}stack`] = stack;
    if (depth > 0) {
      const cause = link;
      render(`String(${at.slice(0, -1)})`, () => String(cause));
      render(`util.inspect(${at.slice(0, -1)})`, () => inspect(cause, { showHidden: true, depth: Infinity }));
    }
    link = (link as { cause?: unknown }).cause;
  }
  return shown;
}

/**
 * An auth of one's own, as the sweep attacks it: fetches a token from `iam` with the sweep's
 * password (through the client's transport), registers the password, sends the token as
 * X-Auth-Token, and refreshes it after a 401. IAM is expected to answer 201 with X-Subject-Token.
 */
export function passwordAuth(iam: string): EcsAuth {
  let token: string | undefined;
  return {
    kind: 'iam-password',
    async authorize(request: Request, context: AuthContext) {
      context.registerSecret(SWEEP_SECRETS.password);
      if (token === undefined) {
        const response = await context.fetch(new Request(iam, { method: 'POST', body: JSON.stringify({ auth: { password: SWEEP_SECRETS.password } }) }));
        if (response.status !== 201) throw new Error(`IAM answered ${response.status}: ${await response.text()}`);
        token = response.headers.get('X-Subject-Token') ?? undefined;
      }
      request.headers.set('X-Auth-Token', token ?? '');
      return request;
    },
    onUnauthorized() {
      token = undefined;
      return true;
    },
  };
}

/** The credentials a request carries (its token, its security token, its request signature), by name. */
export function credentialsCarried(headers: { get(name: string): string | null }): Record<string, string> {
  const found: Record<string, string> = {};
  const token = headers.get('x-auth-token');
  const securityToken = headers.get('x-security-token');
  const signature = /Signature=([0-9a-f]{64})/.exec(headers.get('authorization') ?? '')?.[1];
  if (token) found[`token ${token.slice(0, 8)}`] = token;
  if (securityToken) found['security token sent'] = securityToken;
  if (signature) found[`signature ${signature.slice(0, 8)}`] = signature;
  return found;
}
