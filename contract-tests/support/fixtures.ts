/**
 * What the tests share: the IDs and credentials they use, an injected `fetch` and a client on it
 * (no network), an auth called directly, and ways to catch what a call throws.
 */
import type { Middleware } from 'openapi-fetch';
import { expect } from 'vitest';
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
