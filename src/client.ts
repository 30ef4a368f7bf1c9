/**
 * `createEcsClient`: the options checked once, the core every call goes through, and the resource
 * families built on it (today the Nova servers; Huawei's native ECS actions and jobs join here).
 */
import { createClientCore, type ClientCore } from './call.js';
import { checkClientOptions, type EcsClientOptions } from './client-options.js';
import { novaServers, type NovaServers } from './nova/servers.js';
import type { NovaVersion } from './validate.js';

export interface EcsClient extends NovaServers {
  readonly endpoint: string;
  readonly projectId: string;
  /** The Nova API version of the Nova operations' paths. */
  readonly novaVersion: NovaVersion;
  /** @deprecated The former name of `novaVersion`. */
  readonly apiVersion: NovaVersion;
  /** The openapi-fetch client typed by generated/, with the same auth, timeout and retries. */
  readonly raw: ClientCore['raw'];
}

export function createEcsClient(options: EcsClientOptions): EcsClient {
  const core = createClientCore(checkClientOptions(options));
  const { endpoint, projectId, novaVersion } = core.config;
  return { endpoint, projectId, novaVersion, apiVersion: novaVersion, raw: core.raw, ...novaServers(core) };
}

