/**
 * Auth as an open strategy: the client asks an `EcsAuth` to authorize each request just before it
 * is sent, and tells it of a 401. Built-in: `tokenAuth` and `akskAuth`; an auth of your own (one
 * that fetches and refreshes tokens, say) implements the same interface.
 */
import { EcsInputError } from '../errors/input-error.js';
import type { TransportRequest } from '../http.js';

/** What an auth is given for each request. */
export interface AuthContext {
  /** Aborts when the call is aborted or runs out of time. */
  readonly signal: AbortSignal;
  /**
   * Sends a request through the client's transport (its timeout, retries, body bound, no redirects
   * followed), unauthorized: for an auth that fetches its tokens.
   */
  fetch(request: Request): Promise<Response>;
  /** Registers a secret (a token just fetched, say): no error or output of the call will show it. */
  registerSecret(secret: string): void;
}

export interface EcsAuth {
  /** `token`, `aksk` or a name of your own: how the auth shows itself instead of its secrets. */
  readonly kind: string;
  /** The request with credentials added: the same Request with headers set, or a new one. */
  authorize(request: Request, context: AuthContext): Request | Promise<Request>;
  /**
   * Optional, and used instead of `authorize` where present: the headers (by lowercase name) that
   * authorize `request`, given as plain data, so that no Request is built for it.
   */
  headersFor?(request: TransportRequest, context: AuthContext): Record<string, string> | Promise<Record<string, string>>;
  /**
   * Called once when a request it authorized got a 401, with that request as sent (its headers
   * say which credentials failed). Resolve `true` to have the request authorized and sent once
   * more (after refreshing a token, say).
   */
  onUnauthorized?(context: AuthContext, request: TransportRequest): boolean | Promise<boolean>;
}

// Visible ASCII only: anything else either breaks the header syntax or makes `Headers`
// throw an error whose message quotes the (secret) value.
const CREDENTIAL_RE = /^[\x21-\x7e]+$/;
const CREDENTIAL_PROBLEM = 'must be a non-empty string of visible ASCII characters (no spaces, line breaks or control characters)';

export function checkCredential(field: string, value: unknown): string {
  if (typeof value !== 'string' || !CREDENTIAL_RE.test(value)) throw new EcsInputError(field, CREDENTIAL_PROBLEM);
  return value;
}

/** An auth whose renderings (`JSON.stringify`, `String`, `util.inspect`) show its kind only. */
export function makeAuth(kind: string, authorize: EcsAuth['authorize'], headersFor?: EcsAuth['headersFor']): EcsAuth {
  const summary = { kind };
  return Object.freeze({
    kind,
    authorize,
    ...(headersFor && { headersFor }),
    toJSON: () => summary,
    toString: () => `[EcsAuth ${kind}]`,
    [Symbol.for('nodejs.util.inspect.custom')]: () => `EcsAuth { kind: '${kind}' }`,
  });
}

/** The client's `auth` option, checked by shape: any object with `kind` and `authorize` will do. */
export function checkAuth(value: unknown): EcsAuth {
  const auth = value as Partial<EcsAuth> | null | undefined;
  if (typeof auth !== 'object' || auth === null || typeof auth.authorize !== 'function' || typeof auth.kind !== 'string') {
    throw new EcsInputError('auth', 'must be tokenAuth(...), akskAuth(...) or an object with kind and authorize()');
  }
  for (const name of ['onUnauthorized', 'headersFor'] as const) {
    if (auth[name] !== undefined && typeof auth[name] !== 'function') throw new EcsInputError(`auth.${name}`, 'must be a function');
  }
  return auth as EcsAuth;
}
