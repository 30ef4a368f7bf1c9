/**
 * One call of any operation: its per-call headers, its credentials (authorized just before each
 * send, a 401 shown to the auth once), the secrets it must not show, and what becomes of a call
 * that got no response.
 */
import createClient, { defaultPathSerializer, type Client } from 'openapi-fetch';
import type { paths } from '../generated/openapi.js';
import { boundedSignal, raceAbort } from './abort.js';
import type { AuthContext } from './auth/strategy.js';
import type { ClientConfig } from './client-options.js';
import { errorFromCredentials, errorFromFailure, type RequestSummary } from './errors/api-error.js';
import { EcsError } from './errors/ecs-error.js';
import { EcsInputError } from './errors/input-error.js';
import { Redactor } from './errors/redaction.js';
import { fetchTransport } from './transport/fetch-transport.js';

const MAX_RESPONSE_BYTES = 1024 * 1024;
const requestIdPattern = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface RequestOptions {
  signal?: AbortSignal;
  /** Your own `req-<uuid>`, sent as X-OpenStack-Request-Id. */
  requestId?: string;
}

/** What an operation hands openapi-fetch for one call, and the secrets the call's errors must not show. */
export interface Call {
  readonly init: { signal?: AbortSignal; fetch: (request: Request) => Promise<Response>; headers: Record<string, string> };
  readonly redactor: Redactor;
}

/** What every resource family builds its operations on. */
export interface ClientCore {
  readonly config: ClientConfig;
  /** The openapi-fetch client typed by generated/, with the same auth, timeout and retries. */
  readonly raw: Client<paths>;
  /** Runs one call; a failure without a response becomes an EcsApiError (`auth`, `network`, `timeout`). */
  perform<T>(request: RequestSummary, options: RequestOptions, run: (call: Call) => Promise<T>): Promise<T>;
}

/** Thrown by `authorize` for an auth that failed: its error is not kept, as it may quote a secret. */
class CredentialsFailure extends Error {}

export function createClientCore(config: ClientConfig): ClientCore {
  const transport = fetchTransport({ ...config, maxResponseBytes: MAX_RESPONSE_BYTES });
  const { auth } = config;

  /**
   * Runs one step of the auth (`authorize`, `onUnauthorized`) within `timeoutMs`, as an attempt is
   * bounded; raced, as a token provider may never settle. Its failure is the credentials'.
   */
  async function authStep<T>(step: (context: AuthContext) => T | Promise<T>, signal: AbortSignal | undefined, redactor: Redactor): Promise<T> {
    const bound = boundedSignal(signal, config.timeoutMs);
    const context: AuthContext = {
      signal: bound.signal,
      fetch: (own) => transport(own, bound.signal),
      registerSecret: (secret) => redactor.add(secret),
    };
    try {
      return await raceAbort(Promise.resolve().then(() => step(context)), bound.signal);
    } catch (error) {
      if (bound.signal.aborted) throw bound.signal.reason;
      if (error instanceof EcsInputError) throw error;
      throw new CredentialsFailure(undefined, { cause: error });
    } finally {
      bound.done();
    }
  }

  async function authorizeAndSend(request: Request, signal: AbortSignal | undefined, redactor: Redactor): Promise<Response> {
    const authorized = await authStep((context) => auth.authorize(request, context), signal, redactor);
    redactor.addFromRequest(authorized);
    return transport(authorized, signal);
  }

  /** Sends `request` authorized; after a 401, once more if the auth's `onUnauthorized` says so. */
  async function send(request: Request, signal: AbortSignal | undefined, redactor: Redactor): Promise<Response> {
    if (!auth.onUnauthorized) return authorizeAndSend(request, signal, redactor);
    const again = request.clone();
    const response = await authorizeAndSend(request, signal, redactor);
    if (response.status !== 401 || !(await authStep((context) => auth.onUnauthorized!(context), signal, redactor))) return response;
    await response.body?.cancel().catch(() => {});
    return authorizeAndSend(again, signal, redactor);
  }

  const raw = createClient<paths>({
    baseUrl: config.endpoint,
    fetch: (request) => send(request, request.signal, new Redactor()),
    headers: { 'X-Project-Id': config.projectId, 'User-Agent': config.userAgent },
    pathSerializer: guardedPathSerializer,
  });

  function headers(options: RequestOptions): Record<string, string> {
    const header: Record<string, string> = {};
    if (options.requestId !== undefined) {
      if (typeof options.requestId !== 'string' || !requestIdPattern.test(options.requestId)) {
        throw new EcsInputError('requestId', 'must be req- followed by a lowercase UUID');
      }
      header['X-OpenStack-Request-Id'] = options.requestId;
    }
    if (config.microversion !== undefined) header['X-OpenStack-Nova-API-Version'] = config.microversion;
    return header;
  }

  async function perform<T>(summary: RequestSummary, options: RequestOptions, run: (call: Call) => Promise<T>): Promise<T> {
    checkRequestOptions(options);
    const { signal } = options;
    const redactor = new Redactor();
    const init = { ...(signal && { signal }), headers: headers(options), fetch: (request: Request) => send(request, signal, redactor) };
    try {
      return await run({ init, redactor });
    } catch (error) {
      if (error instanceof EcsError || signal?.aborted) throw error;
      if (error instanceof CredentialsFailure) throw errorFromCredentials(error.cause, summary);
      throw errorFromFailure(error, summary, redactor);
    }
  }

  return { config, raw, perform };
}

/** The per-call options: an object, whose signal (if any) is an AbortSignal (else it fails as a network error). */
export function checkRequestOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) throw new EcsInputError('options', 'must be an object');
  const { signal } = options as RequestOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new EcsInputError('signal', 'must be an AbortSignal');
}

/**
 * Refuses path parameters that would make the URL point elsewhere: `''`, `.`, `..`, and anything
 * but a string or a number (an array `['..']` would be serialised as `..`).
 */
function guardedPathSerializer(pathname: string, params: Record<string, unknown>): string {
  for (const [name, value] of Object.entries(params)) {
    if ((typeof value !== 'string' && typeof value !== 'number') || value === '' || value === '.' || value === '..') {
      throw new EcsInputError(`path parameter ${name}`, "must be a string or a number, not empty, '.' or '..'");
    }
  }
  return defaultPathSerializer(pathname, params);
}

