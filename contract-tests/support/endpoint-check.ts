import { akskAuth, tokenAuth, type EcsAuth } from '../../src/index.js';
import { recordingFetch } from './exchanges.js';
import { deref, operationFor, validator, type JsonObject } from './spec.js';

/** The real-endpoint suite's settings, from the environment only. */
export function endpointSettings(env: NodeJS.ProcessEnv = process.env) {
  const missing = (name: string) => {
    throw new Error(`${name} must be set to check a real endpoint (see README: "Against a real endpoint")`);
  };
  const endpoint = env.ECS_ENDPOINT ?? missing('ECS_ENDPOINT');
  const projectId = env.ECS_PROJECT_ID ?? env.HUAWEICLOUD_SDK_PROJECT_ID ?? missing('ECS_PROJECT_ID');
  const apiVersion = env.ECS_API_VERSION ?? 'v2.1';
  if (apiVersion !== 'v2' && apiVersion !== 'v2.1') throw new Error("ECS_API_VERSION must be 'v2' or 'v2.1'");
  const ak = env.HUAWEICLOUD_SDK_AK;
  const sk = env.HUAWEICLOUD_SDK_SK;
  const token = env.ECS_AUTH_TOKEN;
  if (!(ak && sk) === !token) throw new Error('Set either HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or ECS_AUTH_TOKEN');
  const securityToken = env.HUAWEICLOUD_SDK_SECURITY_TOKEN;
  // Prism's proxy forwards with Host rewritten to the endpoint's, so that is the host to sign.
  const signedHost = new URL(endpoint).host;
  const auth = (options: { wrongSecret?: boolean } = {}): EcsAuth =>
    ak && sk
      ? akskAuth(
          { ak, sk: options.wrongSecret ? `${sk}x` : sk, ...(securityToken && { securityToken }) },
          { signedHost },
        )
      : tokenAuth(options.wrongSecret ? 'contract-check-invalid-token' : token!);
  return {
    endpoint,
    projectId,
    apiVersion: apiVersion as 'v2' | 'v2.1',
    authKind: ak && sk ? 'aksk' : 'token',
    auth,
    serverId: env.ECS_CONTRACT_SERVER_ID,
    allowStop: env.ECS_CONTRACT_ALLOW_STOP === '1',
  };
}

/**
 * What Prism's proxy lets pass but the contract forbids, or what it flagged: an undeclared
 * status, a body on a 202/204, an error body outside the declared schema, Prism's violations.
 */
export async function contractProblems(request: Request, response: Response): Promise<string[]> {
  const where = `${request.method} ${new URL(request.url).pathname} -> ${response.status}`;
  const problems: string[] = [];
  const text = await response.clone().text();
  // Violations of the request are the point of some checks; those of the response never are.
  const violations = responseViolations(response.headers.get('sl-violations'));
  if (violations.length > 0 || /stoplight\.io\/prism\/errors/.test(text)) {
    problems.push(`${where}: Prism reports a contract violation: ${violations.length ? JSON.stringify(violations) : text.slice(0, 500)}`);
  }
  const op = operationFor(request.method, new URL(request.url).pathname);
  if (!op) return [...problems, `${where}: no operation of the spec matches`];
  const responses = op.operation.responses as JsonObject;
  const declared = responses[String(response.status)];
  if (declared === undefined) problems.push(`${where}: status ${response.status} is not declared by ${op.operationId}`);
  const definition = deref(declared ?? responses.default);
  const content = definition.content as JsonObject | undefined;
  if (!content) {
    if (text !== '') problems.push(`${where}: the spec declares no body, but one came: ${text.slice(0, 200)}`);
    return problems;
  }
  const media = content['application/json'] as JsonObject;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `${where}: body is not JSON: ${text.slice(0, 200)}`];
  }
  const validate = validator(media.schema);
  if (!validate(body)) problems.push(`${where}: body does not match the spec: ${JSON.stringify(validate.errors)} in ${text.slice(0, 300)}`);
  return problems;
}

function responseViolations(header: string | null): unknown[] {
  if (!header) return [];
  try {
    const all = JSON.parse(header) as { location?: string[] }[];
    return all.filter((violation) => violation.location?.[0] !== 'request');
  } catch {
    return [header];
  }
}

/** `fetch` for the client that records each exchange and the contract problems it shows. */
export function checkingFetch(problems: string[]) {
  return async (request: Request): Promise<Response> => {
    const copy = request.clone();
    const response = await recordingFetch(request);
    problems.push(...(await contractProblems(copy, response)));
    return response;
  };
}

