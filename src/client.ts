import createClient, { defaultPathSerializer, type Client } from 'openapi-fetch';
import type { paths } from '../generated/openapi.js';
import type { EcsAuth } from './auth.js';
import { errorFromFailure, errorFromResponse, type RequestSummary } from './errors.js';
import { EcsInputError } from './input-error.js';
import { createTransport, type RetryOptions } from './transport.js';
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
  /** A region ID such as `cn-north-4`, for the standard endpoint. */
  region?: string;
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

export interface StopServerOptions {
  /** `SOFT` (default, graceful) or `HARD` (power off). */
  type?: StopType;
  signal?: AbortSignal;
  /** Your own `req-<uuid>`, sent as X-OpenStack-Request-Id. */
  requestId?: string;
}

export interface StopServerResult {
  /** 202 (Nova) or 204 (Huawei's bare-metal variant). */
  status: 202 | 204;
  requestId: string | undefined;
}

export interface EcsClient {
  readonly endpoint: string;
  readonly projectId: string;
  readonly apiVersion: ApiVersion;
  /** Asks the server to stop; resolves once the request is accepted, not when it has stopped. */
  stopServer(serverId: string, options?: StopServerOptions): Promise<StopServerResult>;
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
  if (typeof auth !== 'object' || auth === null || typeof auth.middleware !== 'object') {
    throw new EcsInputError('auth', 'must be tokenAuth(...) or akskAuth(...)');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new EcsInputError('fetch', 'must be a function');
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
    fetch: options.fetch ?? ((input: Request) => globalThis.fetch(input)),
  };
}

/** Refuses path parameters that would make the URL point elsewhere (`''`, `.`, `..`, undefined). */
function guardedPathSerializer(pathname: string, params: Record<string, unknown>): string {
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === '.' || value === '..') {
      throw new EcsInputError(`path parameter ${name}`, "must not be empty, '.' or '..'");
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

  async function stopServer(serverId: string, stopOptions: StopServerOptions = {}): Promise<StopServerResult> {
    const server_id = checkServerId(serverId);
    const { signal } = stopOptions;
    const type = stopOptions.type === undefined ? undefined : checkOneOf('type', stopOptions.type, stopTypes);
    const header: Record<string, string> = {};
    if (stopOptions.requestId !== undefined) {
      if (typeof stopOptions.requestId !== 'string' || !requestIdPattern.test(stopOptions.requestId)) {
        throw new EcsInputError('requestId', 'must be req- followed by a lowercase UUID');
      }
      header['X-OpenStack-Request-Id'] = stopOptions.requestId;
    }
    if (config.microversion !== undefined) header['X-OpenStack-Nova-API-Version'] = config.microversion;

    const summary: RequestSummary = {
      method: 'POST',
      url: `${config.endpoint}/${config.apiVersion}/${config.projectId}/servers/${server_id}/action`,
    };
    const init = {
      params: { path: { project_id: config.projectId, server_id }, header },
      body: { 'os-stop': type === undefined ? {} : { type } },
      // Read no success body: a 202 has none, and one that has is not ours to parse.
      parseAs: 'stream' as const,
      // The transport also gets the signal itself: request.signal may stop following it (see transport.ts).
      ...(signal !== undefined && { signal, fetch: (request: Request) => transport(request, signal) }),
    };
    let result;
    try {
      result =
        config.apiVersion === 'v2'
          ? await raw.POST('/v2/{project_id}/servers/{server_id}/action', init)
          : await raw.POST('/v2.1/{project_id}/servers/{server_id}/action', init);
    } catch (error) {
      if (error instanceof EcsInputError || stopOptions.signal?.aborted) throw error;
      throw errorFromFailure(error, summary);
    }
    const { response } = result;
    // Success is the status, never the absence of `error`: an empty-bodied 503 has no `error`.
    if (response.status === 202 || response.status === 204) {
      await result.data?.cancel().catch(() => {});
      return { status: response.status, requestId: requestIdOf(response) };
    }
    await result.data?.cancel().catch(() => {});
    throw errorFromResponse(response, result.error, summary);
  }

  return { endpoint: config.endpoint, projectId: config.projectId, apiVersion: config.apiVersion, stopServer, raw };
}

function requestIdOf(response: Response): string | undefined {
  const headers = response.headers;
  return (
    headers.get('x-openstack-request-id') ?? headers.get('x-compute-request-id') ?? headers.get('x-request-id') ?? undefined
  );
}

