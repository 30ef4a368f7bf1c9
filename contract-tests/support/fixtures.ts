/** An injected `fetch` and a client on it, for unit tests of the client: no network. */
import { expect } from 'vitest';
import { createEcsClient, EcsApiError, type EcsClientOptions, tokenAuth } from '../../src/index.js';

export const PROJECT = '77b6a44cba5143ab91d13ab9a8ff44fd';
export const SERVER = '4d8c3732-a248-40ed-bebc-539a6ffd25c0';
export const ENDPOINT = 'https://ecs.cn-north-4.myhuaweicloud.com';
export const TOKEN = 'tok-abc';

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
