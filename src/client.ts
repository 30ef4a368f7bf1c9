import createClient, { defaultPathSerializer, type Client } from 'openapi-fetch';
import type { paths } from '../generated/openapi.js';
import type { EcsAuth } from './auth.js';
import { boundedSignal, raceAbort } from './abort.js';
import { EcsApiError, errorFromCredentials, errorFromFailure, errorFromResponse, redactSecrets, type RequestSummary } from './errors.js';
import { EcsInputError } from './input-error.js';
import { createTransport, type RetryOptions } from './transport.js';
import { checkWaitOptions, waitForShutoff, type Server, type WaitOptions } from './wait.js';
import type { Region } from './regions.js';
import {
  apiVersions,
  checkEndpoint,
  checkHeaderValue,
  checkInteger,
  checkMicroversion,
  checkOneOf,
  checkProjectId,
  checkServerId,
  regionEndpoint,
  stopTypes,
  type ApiVersion,
  type StopType,
} from './validate.js';

export const packageVersion = '0.1.0';

export interface EcsClientOptions {
  /** `https://ecs.{region}.myhuaweicloud.com`, an origin only. Give this or `region`. */
  endpoint?: string;
  /** An ECS region of Huawei's SDKs such as `cn-north-4` (see `regions`), for its standard endpoint. */
  region?: Region | (string & {});
  projectId: string;
  auth: EcsAuth;
  /** Default `v2.1`. */
  apiVersion?: ApiVersion;
  /** A compute microversion (`2.60`, `latest`), sent on v2.1 only. */
  microversion?: string;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  /** Retries of 429, 503 and failed connections; `false` for none. */
  retry?: RetryOptions | false;
  fetch?: (input: Request) => Promise<Response>;
  userAgent?: string;
  /** Allow an `http://` endpoint that is not loopback. */
  allowInsecureHttp?: boolean;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Your own `req-<uuid>`, sent as X-OpenStack-Request-Id. */
  requestId?: string;
}

export interface StopServerOptions extends RequestOptions {
  /** `SOFT` (default, graceful) or `HARD` (power off). */
  type?: StopType;
  /** Read the server until it is SHUTOFF; fail on ERROR, on a 404 and on timeout (EcsWaitError). */
  wait?: boolean | WaitOptions;
  /** `'ok'`: a 409 saying the server is already stopped counts as success (idempotent automation). */
  ifAlreadyStopped?: 'ok' | 'error';
}

export interface StopServerResult {
  /** 202 (Nova) or 204 (Huawei's bare-metal variant); 409 when `ifAlreadyStopped: 'ok'` applied. */
  status: 202 | 204 | 409;
  requestId: string | undefined;
  /** The server was already stopped, and `ifAlreadyStopped: 'ok'` made that a success. */
  alreadyStopped: boolean;
  /** With `wait`, the server as last read: SHUTOFF. */
  server?: Server;
}

export interface EcsClient {
  readonly endpoint: string;
  readonly projectId: string;
  readonly apiVersion: ApiVersion;
  /** Asks the server to stop; resolves once the request is accepted, or with `wait`, once it is SHUTOFF. */
  stopServer(serverId: string, options?: StopServerOptions): Promise<StopServerResult>;
  /** Reads a server (Huawei's NovaShowServer). */
  getServer(serverId: string, options?: RequestOptions): Promise<Server>;
  /** The openapi-fetch client typed by generated/, with the same auth, timeout and retries. */
  readonly raw: Client<paths>;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;
const requestIdPattern = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function checkOptions(options: EcsClientOptions) {
  if (typeof options !== 'object' || options === null) throw new EcsInputError('options', 'must be an object');
  if ((options.endpoint === undefined) === (options.region === undefined)) {
    throw new EcsInputError('endpoint', 'or region must be given, not both');
  }
  const endpoint =
    options.endpoint !== undefined
      ? checkEndpoint(options.endpoint, options.allowInsecureHttp === true)
      : regionEndpoint(options.region);
  const apiVersion = checkOneOf('apiVersion', options.apiVersion ?? 'v2.1', apiVersions);
  const auth = options.auth as Partial<EcsAuth> | undefined;
  if (typeof auth !== 'object' || auth === null || typeof auth.middleware?.onRequest !== 'function') {
    throw new EcsInputError('auth', 'must be tokenAuth(...) or akskAuth(...)');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new EcsInputError('fetch', 'must be a function');
  // `retry: 0` or `true` would otherwise mean the default of 2 retries.
  if (options.retry != null && options.retry !== false && typeof options.retry !== 'object') {
    throw new EcsInputError('retry', 'must be false or an object such as { retries: 2 }');
  }
  const retry = options.retry === false ? { retries: 0 } : (options.retry ?? {});
  return {
    endpoint,
    apiVersion,
    auth: auth as EcsAuth,
    projectId: checkProjectId(options.projectId),
    microversion: options.microversion === undefined ? undefined : checkMicroversion(options.microversion, apiVersion),
    userAgent: checkHeaderValue('userAgent', options.userAgent ?? `huaweicloud-ecs-stop/${packageVersion}`),
    timeoutMs: checkInteger('timeoutMs', options.timeoutMs ?? 30_000, 1, 2 ** 31 - 1),
    retries: checkInteger('retry.retries', retry.retries ?? 2, 0, 10),
    baseDelayMs: checkInteger('retry.baseDelayMs', retry.baseDelayMs ?? 500, 0, 600_000),
    maxDelayMs: checkInteger('retry.maxDelayMs', retry.maxDelayMs ?? 20_000, 0, 600_000),
    fetch: options.fetch,
  };
}

/** The per-call options: an object, whose signal (if any) is an AbortSignal (else it fails as a network error). */
function checkRequestOptions(options: unknown): void {
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

export function createEcsClient(options: EcsClientOptions): EcsClient {
  const config = checkOptions(options);
  const transport = createTransport({ ...config, maxResponseBytes: MAX_RESPONSE_BYTES });
  const raw = createClient<paths>({
    baseUrl: config.endpoint,
    fetch: (request) => transport(request),
    headers: { 'X-Project-Id': config.projectId, 'User-Agent': config.userAgent },
    pathSerializer: guardedPathSerializer,
  });
  raw.use(config.auth.middleware);

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

  /**
   * Sends one request; what fails without a response becomes an EcsApiError (network, timeout).
   * `sent` collects the credentials the request carried, to be cut out of what the server says.
   */
  async function send<T>(summary: RequestSummary, signal: AbortSignal | undefined, sent: Set<string>, call: (extra: object) => Promise<T>): Promise<T> {
    // Until the transport has the request, timeoutMs bounds the token provider and signing.
    const phase = boundedSignal(signal, config.timeoutMs);
    let sending = false;
    // The transport also gets the signal itself: request.signal may stop following it (see transport.ts).
    const fetch = (request: Request) => {
      sending = true;
      phase.stopTimer();
      noteCredentials(request, sent);
      return transport(request, phase.signal);
    };
    try {
      // Raced, as a token provider may never settle.
      return await raceAbort(call({ signal: phase.signal, fetch }), phase.signal);
    } catch (error) {
      if (error instanceof EcsInputError || signal?.aborted) throw error;
      if (!sending && !phase.timedOut()) throw errorFromCredentials(error, summary);
      throw errorFromFailure(error, summary);
    } finally {
      phase.done();
    }
  }

  const serverUrl = (serverId: string) => `${config.endpoint}/${config.apiVersion}/${config.projectId}/servers/${serverId}`;

  async function requestStop(server_id: string, options: StopServerOptions): Promise<StopServerResult> {
    const type = options.type === undefined ? undefined : checkOneOf('type', options.type, stopTypes);
    const summary = { method: 'POST', url: `${serverUrl(server_id)}/action` };
    const init = {
      params: { path: { project_id: config.projectId, server_id }, header: headers(options) },
      body: { 'os-stop': type === undefined ? {} : { type } },
      // Read no success body: a 202 has none, and one that has is not ours to parse.
      parseAs: 'stream' as const,
    };
    const sent = new Set<string>();
    const result = await send(summary, options.signal, sent, (extra) =>
      config.apiVersion === 'v2'
        ? raw.POST('/v2/{project_id}/servers/{server_id}/action', { ...init, ...extra })
        : raw.POST('/v2.1/{project_id}/servers/{server_id}/action', { ...init, ...extra }),
    );
    const { response } = result;
    await result.data?.cancel().catch(() => {});
    // Success is the status, never the absence of `error`: an empty-bodied 503 has no `error`.
    if (response.status === 202 || response.status === 204) {
      return { status: response.status, requestId: redactSecrets(requestIdOf(response), sent), alreadyStopped: false };
    }
    throw errorFromResponse(response, result.error, summary, sent);
  }

  async function getServer(serverId: string, options: RequestOptions = {}): Promise<Server> {
    const server_id = checkServerId(serverId);
    checkRequestOptions(options);
    const summary = { method: 'GET', url: serverUrl(server_id) };
    const init = { params: { path: { project_id: config.projectId, server_id }, header: headers(options) }, parseAs: 'text' as const };
    const sent = new Set<string>();
    const result = await send(summary, options.signal, sent, (extra) =>
      config.apiVersion === 'v2'
        ? raw.GET('/v2/{project_id}/servers/{server_id}', { ...init, ...extra })
        : raw.GET('/v2.1/{project_id}/servers/{server_id}', { ...init, ...extra }),
    );
    const { response } = result;
    if (response.status !== 200) throw errorFromResponse(response, result.error, summary, sent);
    const server = parseServer(result.data);
    if (!server) {
      throw new EcsApiError('The server read answered 200 without a server object', {
        status: 200, kind: 'http', code: undefined, requestId: redactSecrets(requestIdOf(response), sent), retryAfter: undefined, request: summary,
      });
    }
    return server;
  }

  async function stopServer(serverId: string, options: StopServerOptions = {}): Promise<StopServerResult> {
    const server_id = checkServerId(serverId);
    checkRequestOptions(options);
    const wait = options.wait === undefined || options.wait === false ? undefined : checkWaitOptions(options.wait);
    const ifAlreadyStopped = checkOneOf('ifAlreadyStopped', options.ifAlreadyStopped ?? 'error', ['ok', 'error'] as const);
    let result: StopServerResult;
    try {
      result = await requestStop(server_id, options);
    } catch (error) {
      if (ifAlreadyStopped !== 'ok' || !isAlreadyStopped(error)) throw error;
      result = { status: 409, requestId: error.requestId, alreadyStopped: true };
    }
    if (!wait) return result;
    const server = await waitForShutoff(server_id, (signal) => getServer(server_id, { signal }), wait, options.signal);
    return { ...result, server };
  }

  return { endpoint: config.endpoint, projectId: config.projectId, apiVersion: config.apiVersion, stopServer, getServer, raw };
}

/** Nova's 409 for a server that is already stopped (also inside an ECS Ecs.1000 wrapper). */
function isAlreadyStopped(error: unknown): error is EcsApiError {
  return error instanceof EcsApiError && (error.status === 409 || error.code === 'Ecs.1000') && /in vm_state stopped/.test(error.message);
}

/** The credentials a request carries: the token, the security token and the AK/SK signature. */
function noteCredentials(request: Request, sent: Set<string>): void {
  for (const name of ['x-auth-token', 'x-security-token']) {
    const value = request.headers.get(name);
    if (value) sent.add(value);
  }
  const signature = /Signature=([0-9a-fA-F]+)/.exec(request.headers.get('authorization') ?? '')?.[1];
  if (signature) sent.add(signature);
}

function parseServer(text: unknown): Server | undefined {
  try {
    const body = JSON.parse(String(text)) as { server?: unknown };
    const server = body.server as Partial<Server> | undefined;
    return typeof server === 'object' && server !== null && typeof server.status === 'string' ? (server as Server) : undefined;
  } catch {
    return undefined;
  }
}

function requestIdOf(response: Response): string | undefined {
  const headers = response.headers;
  return (
    headers.get('x-openstack-request-id') ?? headers.get('x-compute-request-id') ?? headers.get('x-request-id') ?? undefined
  );
}

