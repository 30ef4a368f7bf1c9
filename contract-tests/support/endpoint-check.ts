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
    serverId: env.ECS_CONTRACT_SERVER_ID,
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
