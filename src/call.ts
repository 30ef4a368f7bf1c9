/**
 * One call of any operation: its per-call headers, its credentials (authorized just before each
 * send, a 401 shown to the auth once), the secrets it must not show, and what becomes of a call
 * that got no response.
 */
import createClient, { defaultPathSerializer, type Client } from 'openapi-fetch';
import type { paths } from '../generated/openapi.js';
import { boundedSignal, raceAbort, type BoundedSignal } from './abort.js';
import type { AuthContext } from './auth/strategy.js';
import type { ClientConfig } from './client-options.js';
import { errorFromCredentials, errorFromFailure, type RequestSummary } from './errors/api-error.js';
import { EcsError } from './errors/ecs-error.js';
import { EcsInputError } from './errors/input-error.js';
import { Redactor } from './errors/redaction.js';
import type { TransportRequest } from './http.js';
import { MAX_RESPONSE_BYTES, withAttempts } from './transport/attempts.js';
import { fetchTransport } from './transport/fetch-transport.js';
import type { TransportResponse } from './transport/transport.js';
import { plainRequest, webResponseOf } from './transport/web.js';

const requestIdPattern = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface RequestOptions {
  signal?: AbortSignal;
  /** Your own `req-<uuid>`, sent as X-OpenStack-Request-Id. */
  requestId?: string;
}

/** What an operation has for one call: openapi-fetch's options, or `send`; and the secrets its errors must not show. */
export interface Call {
  readonly init: { signal?: AbortSignal; fetch: (request: Request) => Promise<Response>; headers: Record<string, string> };
  /**
   * Sends `method path` (relative to the endpoint, its parameters already checked) with a JSON
   * `body`, authorized, with the client's and the call's headers: the path of the hot operations,
   * which builds no Request. The caller reads or discards the response's body.
   */
  send(method: string, path: string, body?: string): Promise<TransportResponse>;
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
  const sendAttempts = withAttempts({
    transport: config.transport ?? fetchTransport(config.fetch),
    timeoutMs: config.timeoutMs,
    retry: config.retry,
    maxResponseBytes: MAX_RESPONSE_BYTES,
  });
  const { auth } = config;
  const clientHeaders: Record<string, string> = { 'x-project-id': config.projectId, 'user-agent': config.userAgent };

  /**
   * Runs one step of the auth (`authorize`, `headersFor`, `onUnauthorized`) within `timeoutMs`, as
   * an attempt is bounded; raced, as a token provider may never settle. A step that answers at once
   * (a fixed token) needs no timer. Its failure is the credentials'.
   */
  async function authStep<T>(step: (context: AuthContext) => T | Promise<T>, signal: AbortSignal | undefined, redactor: Redactor): Promise<T> {
    let bound: BoundedSignal | undefined;
    const bounded = () => (bound ??= boundedSignal(signal, config.timeoutMs));
    const context: AuthContext = {
      get signal() {
        return bounded().signal;
      },
      fetch: async (own) => webResponseOf(await sendAttempts(await plainRequest(own), bounded().signal)),
      registerSecret: (secret) => redactor.add(secret),
    };
    try {
      const result = step(context);
      return result instanceof Promise ? await raceAbort(result, bounded().signal) : result;
    } catch (error) {
      if (bound?.signal.aborted) throw bound.signal.reason;
      // Bad input, or an identity service's answer (a 401 for a wrong password): typed already.
      if (error instanceof EcsError) throw error;
      throw new CredentialsFailure(undefined, { cause: error });
    } finally {
      bound?.done();
    }
  }

  /** The request with the auth's headers: plain where the auth can (`headersFor`), else through a Request. */
  function authorized(request: TransportRequest, context: AuthContext): TransportRequest | Promise<TransportRequest> {
    if (!auth.headersFor) return authorizedAsRequest(request, context);
    const withHeaders = (added: Record<string, string>) => ({ ...request, headers: { ...request.headers, ...added } });
    const added = auth.headersFor(request, context);
    return added instanceof Promise ? added.then(withHeaders) : withHeaders(added);
  }

  async function authorizedAsRequest(request: TransportRequest, context: AuthContext): Promise<TransportRequest> {
    const { method, url, headers, body } = request;
    return plainRequest(await auth.authorize(new Request(url, { method, headers, body }), context));
  }

  async function authorizeAndSend(request: TransportRequest, signal: AbortSignal | undefined, redactor: Redactor) {
    const sent = await authStep((context) => authorized(request, context), signal, redactor);
    redactor.addFromRequest({ headers: { get: (name) => sent.headers[name] } });
    return { sent, response: await sendAttempts(sent, signal) };
  }

  /** Sends `request` authorized; after a 401, once more if the auth's `onUnauthorized` says so. */
  async function send(request: TransportRequest, signal: AbortSignal | undefined, redactor: Redactor): Promise<TransportResponse> {
    const { sent, response } = await authorizeAndSend(request, signal, redactor);
    if (!auth.onUnauthorized || response.status !== 401 || !(await authStep((context) => auth.onUnauthorized!(context, sent), signal, redactor))) {
      return response;
    }
    response.discard();
    return (await authorizeAndSend(request, signal, redactor)).response;
  }

  /** openapi-fetch's fetch: its Request as plain data, sent as any other, answered as a Response. */
  const sendRequest = async (request: Request, signal: AbortSignal | undefined, redactor: Redactor) =>
    webResponseOf(await send(await plainRequest(request), signal, redactor));

  const raw = createClient<paths>({
    baseUrl: config.endpoint,
    fetch: (request) => sendRequest(request, request.signal, new Redactor()),
    headers: { 'X-Project-Id': config.projectId, 'User-Agent': config.userAgent },
    pathSerializer: guardedPathSerializer,
  });

  function headers(options: RequestOptions): Record<string, string> {
    const header: Record<string, string> = {};
    if (options.requestId !== undefined) {
      if (typeof options.requestId !== 'string' || !requestIdPattern.test(options.requestId)) {
        throw new EcsInputError('requestId', 'must be req- followed by a lowercase UUID');
      }
      header['x-openstack-request-id'] = options.requestId;
    }
    if (config.microversion !== undefined) header['x-openstack-nova-api-version'] = config.microversion;
    return header;
  }

  async function perform<T>(summary: RequestSummary, options: RequestOptions, run: (call: Call) => Promise<T>): Promise<T> {
    checkRequestOptions(options);
    const { signal } = options;
    const redactor = new Redactor();
    const callHeaders = headers(options);
    const sendPlain = (method: string, path: string, body?: string) => {
      const all = body === undefined ? { ...clientHeaders, ...callHeaders } : { ...clientHeaders, 'content-type': 'application/json', ...callHeaders };
      return send({ method, url: `${config.endpoint}${path}`, headers: all, body: body ?? null }, signal, redactor);
    };
    let init: Call['init'] | undefined;
    const call: Call = {
      // Built only for an operation on openapi-fetch.
      get init() {
        return (init ??= { ...(signal && { signal }), headers: callHeaders, fetch: (request: Request) => sendRequest(request, signal, redactor) });
      },
      send: sendPlain,
      redactor,
    };
    try {
      return await run(call);
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

