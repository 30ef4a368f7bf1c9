/** The client's options, checked once when the client is made. */
import { checkAuth, type EcsAuth } from './auth/strategy.js';
import { EcsInputError } from './errors/input-error.js';
import type { Region } from './regions.js';
import type { Transport } from './transport/transport.js';
import { retryPolicy, type RetryOptions, type RetryPolicy } from './transport/retry-policy.js';
import {
  checkEndpoint,
  checkHeaderValue,
  checkInteger,
  checkMicroversion,
  checkOneOf,
  checkProjectId,
  novaVersions,
  regionEndpoint,
  type NovaVersion,
} from './validate.js';

export const packageVersion = '0.1.0';

export interface EcsClientOptions {
  /** `https://ecs.{region}.myhuaweicloud.com`, an origin only. Give this or `region`. */
  endpoint?: string;
  /** An ECS region of Huawei's SDKs such as `cn-north-4` (see `regions`), for its standard endpoint. */
  region?: Region | (string & {});
  projectId: string;
  auth: EcsAuth;
  /** The Nova API version in the path of the Nova operations: `v2.1` (default) or `v2`. */
  novaVersion?: NovaVersion;
  /** @deprecated The former name of `novaVersion`. */
  apiVersion?: NovaVersion;
  /** A compute microversion (`2.60`, `latest`), sent on Nova v2.1 only. */
  microversion?: string;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  /** Retries of 429, 503 and failed connections; `false` for none. */
  retry?: RetryOptions | false;
  /** The fetch to send with (default: the global one). */
  fetch?: (input: Request) => Promise<Response>;
  /** What sends each attempt instead of fetch, such as `nodeTransport()` from `huaweicloud-ecs-stop/node`. */
  transport?: Transport;
  userAgent?: string;
  /** Allow an `http://` endpoint that is not loopback. */
  allowInsecureHttp?: boolean;
}

export interface ClientConfig {
  endpoint: string;
  projectId: string;
  auth: EcsAuth;
  novaVersion: NovaVersion;
  microversion: string | undefined;
  userAgent: string;
  timeoutMs: number;
  retry: RetryPolicy;
  fetch: ((input: Request) => Promise<Response>) | undefined;
  transport: Transport | undefined;
}

export function checkClientOptions(options: EcsClientOptions): ClientConfig {
  if (typeof options !== 'object' || options === null) throw new EcsInputError('options', 'must be an object');
  if ((options.endpoint === undefined) === (options.region === undefined)) {
    throw new EcsInputError('endpoint', 'or region must be given, not both');
  }
  const endpoint =
    options.endpoint !== undefined
      ? checkEndpoint(options.endpoint, options.allowInsecureHttp === true)
      : regionEndpoint(options.region);
  const novaVersion = checkNovaVersion(options);
  const auth = checkAuth(options.auth);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new EcsInputError('fetch', 'must be a function');
  if (options.transport !== undefined && typeof options.transport !== 'function') throw new EcsInputError('transport', 'must be a function such as nodeTransport()');
  if (options.fetch !== undefined && options.transport !== undefined) throw new EcsInputError('transport', 'or fetch may be given, not both');
  return {
    endpoint,
    novaVersion,
    auth,
    projectId: checkProjectId(options.projectId),
    microversion: options.microversion === undefined ? undefined : checkMicroversion(options.microversion, novaVersion),
    userAgent: checkHeaderValue('userAgent', options.userAgent ?? `huaweicloud-ecs-stop/${packageVersion}`),
    timeoutMs: checkInteger('timeoutMs', options.timeoutMs ?? 30_000, 1, 2 ** 31 - 1),
    retry: retryPolicy(options.retry),
    fetch: options.fetch,
    transport: options.transport,
  };
}

function checkNovaVersion({ novaVersion, apiVersion }: EcsClientOptions): NovaVersion {
  if (novaVersion !== undefined && apiVersion !== undefined) {
    throw new EcsInputError('apiVersion', 'is the former name of novaVersion: give novaVersion only');
  }
  return apiVersion !== undefined
    ? checkOneOf('apiVersion', apiVersion, novaVersions)
    : checkOneOf('novaVersion', novaVersion ?? 'v2.1', novaVersions);
}
