import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { akskAuth, tokenAuth, type EcsAuth } from '../../src/index.js';
import { profiles, type Contract, type ProfileName } from './contract.js';
import { checkExchange, wireExchange } from './exchange-check.js';
import { recordExchange } from './exchanges.js';

/** The real-endpoint suite's settings, from the environment only. */
export function endpointSettings(env: NodeJS.ProcessEnv = process.env) {
  const missing = (name: string) => {
    throw new Error(`${name} must be set to check a real endpoint (see README: "Against a real endpoint")`);
  };
  const endpoint = env.ECS_ENDPOINT ?? missing('ECS_ENDPOINT');
  const projectId = env.ECS_PROJECT_ID ?? env.HUAWEICLOUD_SDK_PROJECT_ID ?? missing('ECS_PROJECT_ID');
  const apiVersion = env.ECS_API_VERSION ?? 'v2.1';
  if (apiVersion !== 'v2' && apiVersion !== 'v2.1') throw new Error("ECS_API_VERSION must be 'v2' or 'v2.1'");
  const profile = env.ECS_CONTRACT_PROFILE ?? 'huawei';
  if (!(profile in profiles)) throw new Error(`ECS_CONTRACT_PROFILE must be one of ${Object.keys(profiles).join(', ')}`);
  const ak = env.HUAWEICLOUD_SDK_AK;
  const sk = env.HUAWEICLOUD_SDK_SK;
  const token = env.ECS_AUTH_TOKEN;
  if (!(ak && sk) === !token) throw new Error('Set either HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or ECS_AUTH_TOKEN');
  const native = env.ECS_CONTRACT_NATIVE_API ?? '1';
  if (native !== '0' && native !== '1') throw new Error("ECS_CONTRACT_NATIVE_API must be '1' (the default) or '0'");
  const nativeApi = native === '1';
  const serverIds = (env.ECS_CONTRACT_SERVER_ID ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  if (serverIds.length > 3 || new Set(serverIds).size !== serverIds.length) {
    throw new Error('ECS_CONTRACT_SERVER_ID must list 1 to 3 distinct server IDs, comma-separated');
  }
  // The batch takes the last two servers; Nova's stop the first, unless the batch has it.
  const batchServerIds = nativeApi && serverIds.length >= 2 ? serverIds.slice(-2) : undefined;
  const novaStopServerId = serverIds[0] !== undefined && !batchServerIds?.includes(serverIds[0]) ? serverIds[0] : undefined;
  const securityToken = env.HUAWEICLOUD_SDK_SECURITY_TOKEN;
  const auth = (options: { wrongSecret?: boolean } = {}): EcsAuth =>
    ak && sk
      ? akskAuth({ ak, sk: options.wrongSecret ? `${sk}x` : sk, ...(securityToken && { securityToken }) })
      : tokenAuth(options.wrongSecret ? 'contract-check-invalid-token' : token!);
  return {
    endpoint,
    projectId,
    apiVersion: apiVersion as 'v2' | 'v2.1',
    profile: profile as ProfileName,
    authKind: ak && sk ? 'aksk' : 'token',
    auth,
    /** `false` for an endpoint that takes any credentials (Nova's noauth2): no 401 to check. */
    authenticates: env.ECS_CONTRACT_UNAUTHENTICATED !== '1',
    /**
     * `false` (ECS_CONTRACT_NATIVE_API=0) for an endpoint that does not serve Huawei's native `/v1`
     * API (a plain Nova): its checks are skipped, with that reason.
     */
    nativeApi,
    /** ECS_CONTRACT_SERVER_ID: 1 to 3 disposable ACTIVE servers, comma-separated. */
    serverIds,
    /** The server Nova's stop stops: the first, unless the batch has it. */
    novaStopServerId,
    /** The two servers the native batch stops in one job: the last two (with the native API). */
    batchServerIds,
    allowStop: env.ECS_CONTRACT_ALLOW_STOP === '1',
  };
}

/**
 * `fetch` straight to the endpoint (no proxy can turn a real answer into an error of its own)
 * that judges every exchange by the contract: breaches go into `problems`, a server more lenient
 * than the contract into the run's notes, and every exchange into the coverage report.
 */
export function checkingFetch(contract: Contract, problems: string[]) {
  return async (input: Request | string, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const sent = request.clone();
    const response = await fetch(request);
    const exchange = await wireExchange(sent, response);
    recordExchange({ method: request.method, path: new URL(request.url).pathname, status: response.status });
    const verdict = checkExchange(contract, exchange);
    problems.push(...verdict.problems);
    for (const note of verdict.notes) appendFileSync(join(inject('runDir'), 'notes.txt'), `${note}\n`);
    return response;
  };
}
