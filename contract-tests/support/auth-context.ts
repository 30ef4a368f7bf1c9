import type { Middleware } from 'openapi-fetch';
import type { AuthContext, EcsAuth } from '../../src/index.js';

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
