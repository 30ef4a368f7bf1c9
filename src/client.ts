/**
 * `createEcsClient`: the options checked once, the core every call goes through, and the resource
 * families built on it: the Nova servers (`/v2`, `/v2.1`) and Huawei's native ECS batch actions and
 * jobs (`/v1`).
 */
import { createClientCore, type ClientCore } from './call.js';
import { checkClientOptions, type EcsClientOptions } from './client-options.js';
import { batchStop, type StopServersOptions, type StopServersResult } from './ecs/batch-stop.js';
import { ecsJobs, type EcsJobs } from './ecs/jobs.js';
import { novaServers, type NovaServers } from './nova/servers.js';
import type { NovaVersion } from './validate.js';

export interface EcsClient extends NovaServers, EcsJobs {
  readonly endpoint: string;
  readonly projectId: string;
  /** The Nova API version of the Nova operations' paths. */
  readonly novaVersion: NovaVersion;
  /** @deprecated The former name of `novaVersion`. */
  readonly apiVersion: NovaVersion;
  /** The openapi-fetch client typed by generated/, with the same auth, timeout and retries. */
  readonly raw: ClientCore['raw'];
  /**
   * Stops 1 to 1,000 servers as one job of Huawei's native API (`BatchStopServers`, the stop
   * Huawei recommends); with `wait`, follows the job, then each server until SHUTOFF.
   */
  stopServers(serverIds: readonly string[], options?: StopServersOptions): Promise<StopServersResult>;
}

export function createEcsClient(options: EcsClientOptions): EcsClient {
  const core = createClientCore(checkClientOptions(options));
  const { endpoint, projectId, novaVersion } = core.config;
  const nova = novaServers(core);
  const { follow, ...jobs } = ecsJobs(core, nova.getServer);
  return { endpoint, projectId, novaVersion, apiVersion: novaVersion, raw: core.raw, ...nova, ...jobs, ...batchStop(core, follow) };
}
