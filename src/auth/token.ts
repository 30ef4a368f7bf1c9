import { checkCredential, makeAuth, type EcsAuth } from './strategy.js';

/** What a token provider is given: a signal that aborts when the call is aborted or times out. */
export interface TokenProviderContext {
  signal: AbortSignal;
}

/** An IAM (Keystone) token sent as `X-Auth-Token`: a fixed one, or one from a provider called per request. */
export function tokenAuth(token: string | ((context: TokenProviderContext) => string | Promise<string>)): EcsAuth {
  if (typeof token === 'function') {
    // Called on every request so that a refreshing token provider works.
    const current = async (signal: AbortSignal) => checkCredential('auth.token', await token({ signal }));
    return makeAuth(
      'token',
      async (request, { signal }) => {
        request.headers.set('X-Auth-Token', await current(signal));
        return request;
      },
      async (_request, { signal }) => ({ 'x-auth-token': await current(signal) }),
    );
  }
  const value = checkCredential('auth.token', token);
  const headers = { 'x-auth-token': value };
  return makeAuth(
    'token',
    (request) => {
      request.headers.set('X-Auth-Token', value);
      return request;
    },
    () => headers,
  );
}
