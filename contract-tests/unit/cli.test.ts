/**
 * `ecs-stop` run in-process (main() with an injected environment and fetch): what it sends, what
 * it prints in text and --json, and its exit codes. No secret in any output, and secrets pasted on
 * the command line: secrets.test.ts. Attacks on its input and output: attacks-cli.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodes, main, usage } from '../../src/cli.js';
import { packageVersion } from '../../src/index.js';
import { fetchFailed, json, PROJECT, SECURITY_TOKEN, SERVER, silentFetch, TOKEN, VECTOR_AK as AK, VECTOR_SK as SK } from '../support/fixtures.js';

const REQUEST_ID = 'req-1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b';
const GATEWAY_REQUEST_ID = '0f4e6fc6a1a9e0c0b1f2b3a4d5e6f708';

type Env = Record<string, string | undefined>;
const TOKEN_CREDS: Env = { ECS_AUTH_TOKEN: TOKEN };
const AKSK_CREDS: Env = { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: SECURITY_TOKEN };
/** Credentials of one kind, the project and the region. */
const base = (creds: Env): Env => ({ ...creds, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, HUAWEICLOUD_SDK_REGION: 'cn-north-4' });
const TOKEN_ENV = base(TOKEN_CREDS);
const AKSK_ENV = base(AKSK_CREDS);
const STOP_URL = `https://ecs.cn-north-4.myhuaweicloud.com/v2.1/${PROJECT}/servers/${SERVER}/action`;

type Responder = (request: Request) => Promise<Response>;

const accepted: Responder = async () =>
  new Response(null, { status: 202, headers: { 'X-Openstack-Request-Id': REQUEST_ID } });

function jsonError(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
  return async () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

const novaNotFound = jsonError(
  404,
  { itemNotFound: { code: 404, message: `Instance ${SERVER} could not be found.` } },
  { 'X-Openstack-Request-Id': REQUEST_ID },
);
const gatewayUnauthorized = jsonError(401, {
  error_code: 'APIGW.0301',
  error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
  request_id: GATEWAY_REQUEST_ID,
});
const ecsNotFound = jsonError(404, { error: { code: 'Ecs.0114', message: 'The ECS does not exist.' } });
/** A failure with no system error code: not retried, so the test stays fast. */
const plainNetworkFailure: Responder = async () => {
  throw new TypeError('fetch failed');
};
const connectionRefused: Responder = async () => {
  throw fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443');
};
/** Never answers; gives up when the request's signal (the client's timeout) fires. */
const neverAnswers: Responder = silentFetch;

interface Run {
  code: number;
  stdout: string[];
  stderr: string[];
  requests: Request[];
  /** Each request's body, read before the responder saw it. */
  bodies: string[];
}

async function run(argv: string[], env: NodeJS.ProcessEnv, respond: Responder = accepted): Promise<Run> {
  const result: Run = { code: -1, stdout: [], stderr: [], requests: [], bodies: [] };
  result.code = await main(argv, env, {
    stdout: (line) => result.stdout.push(line),
    stderr: (line) => result.stderr.push(line),
    fetch: async (request) => {
      result.requests.push(request);
      result.bodies.push(await request.clone().text());
      return respond(request);
    },
  });
  return result;
}

/** The one JSON line a `--json` run must print, with nothing on stderr. */
function jsonLine(result: Run): Record<string, any> {
  expect(result.stderr).toEqual([]);
  expect(result.stdout).toHaveLength(1);
  expect(result.stdout[0]).not.toContain('\n');
  return JSON.parse(result.stdout[0]!) as Record<string, any>;
}

describe('ecs-stop: success', () => {
  it('prints a readable line and sends the stop with the token', async () => {
    const result = await run([SERVER], TOKEN_ENV);
    expect(result.code).toBe(exitCodes.ok);
    expect(result.stdout).toEqual([`Stop accepted for server ${SERVER} (HTTP 202, request ${REQUEST_ID})`]);
    expect(result.stderr).toEqual([]);
    expect(result.requests).toHaveLength(1);
    const request = result.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(STOP_URL);
    expect(request.headers.get('X-Auth-Token')).toBe(TOKEN);
    expect(request.headers.get('Authorization')).toBeNull();
    expect(request.headers.get('X-Project-Id')).toBe(PROJECT);
    expect(JSON.parse(result.bodies[0]!)).toEqual({ 'os-stop': {} });
  });

  it('prints one JSON line with --json', async () => {
    const result = await run([SERVER, '--json'], TOKEN_ENV);
    expect(result.code).toBe(0);
    expect(jsonLine(result)).toEqual({
      ok: true,
      serverId: SERVER,
      status: 202,
      requestId: REQUEST_ID,
      alreadyStopped: false,
      novaVersion: 'v2.1',
      apiVersion: 'v2.1',
      endpoint: 'https://ecs.cn-north-4.myhuaweicloud.com',
    });
  });

  it('accepts 204 without a request ID', async () => {
    const result = await run([SERVER], TOKEN_ENV, async () => new Response(null, { status: 204 }));
    expect(result.code).toBe(0);
    expect(result.stdout).toEqual([`Stop accepted for server ${SERVER} (HTTP 204)`]);
    const json = jsonLine(await run(['--json', SERVER], TOKEN_ENV, async () => new Response(null, { status: 204 })));
    expect(json).toMatchObject({ ok: true, status: 204, requestId: null });
  });

  it('--type HARD sends {"os-stop":{"type":"HARD"}}', async () => {
    const result = await run([SERVER, '--type', 'HARD', '--json'], TOKEN_ENV);
    expect(result.code).toBe(0);
    expect(result.bodies[0]).toBe('{"os-stop":{"type":"HARD"}}');
    expect(jsonLine(result)).toMatchObject({ ok: true, type: 'HARD' });
    const soft = await run([`--type=soft`, SERVER], TOKEN_ENV);
    expect(soft.code).toBe(0);
    expect(soft.bodies[0]).toBe('{"os-stop":{"type":"SOFT"}}');
  });

  it.each(['--nova-version', '--api-version'])('%s v2 uses the /v2/ path', async (flag) => {
    const result = await run([SERVER, flag, 'v2', '--json'], TOKEN_ENV);
    expect(result.code).toBe(0);
    expect(result.requests[0]!.url).toBe(`https://ecs.cn-north-4.myhuaweicloud.com/v2/${PROJECT}/servers/${SERVER}/action`);
    expect(jsonLine(result)).toMatchObject({ novaVersion: 'v2', apiVersion: 'v2' });
  });

  it('--microversion sends X-OpenStack-Nova-API-Version on v2.1', async () => {
    const result = await run([SERVER, '--microversion', '2.60'], TOKEN_ENV);
    expect(result.code).toBe(0);
    expect(result.requests[0]!.headers.get('X-OpenStack-Nova-API-Version')).toBe('2.60');
  });

  it('signs with AK/SK (and the security token) from the environment', async () => {
    const result = await run([SERVER], AKSK_ENV);
    expect(result.code).toBe(0);
    const headers = result.requests[0]!.headers;
    expect(headers.get('Authorization')).toMatch(
      new RegExp(`^SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$`),
    );
    expect(headers.get('Authorization')).toContain('x-security-token');
    expect(headers.get('X-Sdk-Date')).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers.get('X-Security-Token')).toBe(SECURITY_TOKEN);
    expect(headers.get('X-Auth-Token')).toBeNull();
  });

  it('signs with permanent AK/SK; an empty variable counts as unset', async () => {
    const result = await run([SERVER], { ...AKSK_ENV, HUAWEICLOUD_SDK_SECURITY_TOKEN: '', ECS_AUTH_TOKEN: '' });
    expect(result.code).toBe(0);
    expect(result.requests[0]!.headers.get('Authorization')).toMatch(/^SDK-HMAC-SHA256 /);
    expect(result.requests[0]!.headers.get('X-Security-Token')).toBeNull();
  });

  it('takes flags over the environment, and ECS_ENDPOINT over HUAWEICLOUD_SDK_REGION', async () => {
    const otherProject = 'a'.repeat(32);
    const env = { ...TOKEN_ENV, ECS_ENDPOINT: 'https://ecs.example.com' };
    const fromEnv = await run([SERVER], env);
    expect(fromEnv.requests[0]!.url).toBe(`https://ecs.example.com/v2.1/${PROJECT}/servers/${SERVER}/action`);
    const endpointFlag = await run([SERVER, '--endpoint', 'http://127.0.0.1:4010', '--project-id', otherProject], env);
    expect(endpointFlag.requests[0]!.url).toBe(`http://127.0.0.1:4010/v2.1/${otherProject}/servers/${SERVER}/action`);
    const regionFlag = await run([SERVER, '--region', 'ap-southeast-1'], env);
    expect(regionFlag.requests[0]!.url).toBe(
      `https://ecs.ap-southeast-1.myhuaweicloud.com/v2.1/${PROJECT}/servers/${SERVER}/action`,
    );
    expect([fromEnv.code, endpointFlag.code, regionFlag.code]).toEqual([0, 0, 0]);
  });
});

describe('ecs-stop: --help and --version', () => {
  it('--help prints usage with flags, environment and exit codes', async () => {
    const result = await run(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stderr).toEqual([]);
    const text = result.stdout.join('\n');
    expect(text).toBe(usage);
    for (const word of ['--type', '--nova-version', '--endpoint', '--region', '--project-id', '--microversion', '--timeout-ms', '--json', '--api', '--dry-run', '--allow-insecure-http']) {
      expect(text).toContain(word);
    }
    for (const name of ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'ECS_AUTH_TOKEN', 'HUAWEICLOUD_SDK_PROJECT_ID', 'ECS_PROJECT_ID', 'ECS_ENDPOINT', 'HUAWEICLOUD_SDK_REGION', 'ECS_API_VERSION']) {
      expect(text).toContain(name);
    }
    for (const code of Object.values(exitCodes)) expect(text).toMatch(new RegExp(`^  ${code}  `, 'm'));
    expect(result.requests).toHaveLength(0);
    expect((await run(['-h', SERVER], TOKEN_ENV)).stdout.join('\n')).toBe(usage);
  });

  it('--version prints the package version', async () => {
    const result = await run(['--version'], {});
    expect(result).toMatchObject({ code: 0, stdout: [packageVersion], stderr: [] });
    expect(jsonLine(await run(['--version', '--json'], {}))).toEqual({ ok: true, version: packageVersion });
  });

  it('exports the exit codes', () => {
    expect(exitCodes).toEqual({ ok: 0, unexpected: 1, usage: 2, api: 3, network: 4, wait: 5, partial: 6, closedPipe: 141 });
  });
});

interface UsageCase {
  name: string;
  argv: string[];
  /** The environment for credentials of one kind (cases about credentials ignore it). */
  env: (creds: Env) => Env;
  field: string;
  /** What the message must say. */
  says: RegExp;
}

const usageCases: UsageCase[] = [
  { name: 'no credentials', argv: [SERVER], env: () => base({}), field: 'credentials', says: /no credentials.*HUAWEICLOUD_SDK_AK.*ECS_AUTH_TOKEN/ },
  { name: 'both kinds of credentials', argv: [SERVER], env: () => base({ ...AKSK_CREDS, ...TOKEN_CREDS }), field: 'credentials', says: /one kind/ },
  { name: 'AK without SK', argv: [SERVER], env: () => ({ ...AKSK_ENV, HUAWEICLOUD_SDK_SK: '' }), field: 'HUAWEICLOUD_SDK_SK', says: /HUAWEICLOUD_SDK_SK is not set/ },
  { name: 'SK without AK', argv: [SERVER], env: () => ({ ...AKSK_ENV, HUAWEICLOUD_SDK_AK: undefined }), field: 'HUAWEICLOUD_SDK_AK', says: /HUAWEICLOUD_SDK_AK is not set/ },
  { name: 'no project ID', argv: [SERVER], env: (c) => ({ ...base(c), HUAWEICLOUD_SDK_PROJECT_ID: undefined }), field: 'project-id', says: /project-id is missing.*HUAWEICLOUD_SDK_PROJECT_ID/ },
  { name: 'a bad project ID (env)', argv: [SERVER], env: (c) => ({ ...base(c), HUAWEICLOUD_SDK_PROJECT_ID: 'not-a-project' }), field: 'HUAWEICLOUD_SDK_PROJECT_ID', says: /HUAWEICLOUD_SDK_PROJECT_ID must be a project ID/ },
  { name: 'a bad project ID (flag)', argv: [SERVER, '--project-id', '..'], env: base, field: '--project-id', says: /--project-id must not be '\.' or '\.\.'/ },
  { name: 'no server ID', argv: [], env: base, field: 'server-id', says: /server-id is missing/ },
  { name: 'the same server ID twice', argv: [SERVER, SERVER], env: base, field: 'server-id', says: /^arguments 1 and 2 name the same server \(.*\): list each server once$/ },
  { name: 'the same server ID twice, in other capitals', argv: [SERVER, SERVER.toUpperCase()], env: base, field: 'server-id', says: /^arguments 1 and 2 name the same server/ },
  { name: 'an empty server argument', argv: [''], env: base, field: 'server-id', says: /^argument 1 must be a server ID \(a UUID\) or a server name of 1 to 255 characters$/ },
  { name: 'a server name of 256 characters', argv: [SERVER, 'n'.repeat(256)], env: base, field: 'server-id', says: /^argument 2 must be a server ID/ },
  { name: 'a server name with a control character', argv: ['web\u0007'], env: base, field: 'server-id', says: /^argument 1 must not contain control characters$/ },
  { name: 'a server name with a credential\'s shape', argv: ['Pq7sKw2XzR9mL4vB8nT1yY6uI3oE0aSdF5gHj2Kl'], env: base, field: 'server-id', says: /^argument 1 is not a server ID and has a credential's shape \(not shown, in case it is a secret\): give the server's ID$/ },
  { name: 'a bad --api', argv: [SERVER, '--api', 'native'], env: base, field: '--api', says: /^--api must be batch or nova$/ },
  { name: 'a bad ECS_API_VERSION', argv: [SERVER], env: (c) => ({ ...base(c), ECS_API_VERSION: 'v3' }), field: 'ECS_API_VERSION', says: /^ECS_API_VERSION must be v2 or v2\.1$/ },
  { name: 'two project variables that disagree', argv: [SERVER], env: (c) => ({ ...base(c), ECS_PROJECT_ID: '0'.repeat(32) }), field: 'ECS_PROJECT_ID', says: /^HUAWEICLOUD_SDK_PROJECT_ID and ECS_PROJECT_ID name different projects/ },
  { name: 'a plain-http --endpoint: the flag that allows it named', argv: [SERVER, '--endpoint', 'http://ecs.example.com'], env: base, field: '--endpoint', says: /^--endpoint must use https \(http is allowed for loopback, or with --allow-insecure-http\)$/ },
  { name: 'a bad --type', argv: [SERVER, '--type', 'GENTLE'], env: base, field: '--type', says: /--type must be SOFT or HARD/ },
  { name: '--type without a value', argv: [SERVER, '--type'], env: base, field: '--type', says: /--type needs a value/ },
  { name: '--type followed by a flag', argv: [SERVER, '--type', '--json'], env: base, field: '--type', says: /--type needs a value/ },
  { name: 'a bad --nova-version', argv: [SERVER, '--nova-version', 'v3'], env: base, field: '--nova-version', says: /^--nova-version must be v2 or v2\.1$/ },
  { name: 'a bad --api-version (its former name)', argv: [SERVER, '--api-version', 'v1'], env: base, field: '--api-version', says: /^--api-version must be v2 or v2\.1$/ },
  { name: '--nova-version and --api-version together', argv: [SERVER, '--nova-version', 'v2', '--api-version', 'v2'], env: base, field: '--api-version', says: /^--api-version is the former name of --nova-version: give --nova-version only$/ },
  { name: 'a bad --timeout-ms', argv: [SERVER, '--timeout-ms', '1e3'], env: base, field: '--timeout-ms', says: /--timeout-ms must be an integer/ },
  { name: '--timeout-ms 0', argv: [SERVER, '--timeout-ms', '0'], env: base, field: '--timeout-ms', says: /--timeout-ms must be an integer/ },
  { name: '--microversion on v2', argv: [SERVER, '--nova-version', 'v2', '--microversion', '2.60'], env: base, field: '--microversion', says: /^--microversion is only taken by --nova-version v2\.1$/ },
  { name: 'a bad --microversion', argv: [SERVER, '--microversion', 'two'], env: base, field: '--microversion', says: /--microversion must be/ },
  { name: 'both --endpoint and --region', argv: [SERVER, '--endpoint', 'https://ecs.example.com', '--region', 'cn-north-4'], env: base, field: '--endpoint', says: /--endpoint or --region, not both/ },
  { name: 'a plain-http --endpoint', argv: [SERVER, '--endpoint', 'http://ecs.example.com'], env: base, field: '--endpoint', says: /--endpoint must use https/ },
  { name: 'an --endpoint with a path', argv: [SERVER, '--endpoint', 'https://ecs.example.com/v2.1'], env: base, field: '--endpoint', says: /--endpoint must be an origin only/ },
  { name: 'a bad ECS_ENDPOINT', argv: [SERVER], env: (c) => ({ ...base(c), HUAWEICLOUD_SDK_REGION: undefined, ECS_ENDPOINT: 'nope' }), field: 'ECS_ENDPOINT', says: /ECS_ENDPOINT must be a URL/ },
  { name: 'a bad --region', argv: [SERVER, '--region', 'North 4'], env: base, field: '--region', says: /--region must be a region ID/ },
  { name: 'no endpoint', argv: [SERVER], env: (c) => ({ ...base(c), HUAWEICLOUD_SDK_REGION: '' }), field: 'endpoint', says: /endpoint is missing.*ECS_ENDPOINT.*HUAWEICLOUD_SDK_REGION/ },
  { name: 'an unknown flag', argv: [SERVER, '--force'], env: base, field: 'option', says: /^unknown option in argument 2 \(not shown, in case it is a secret\)$/ },
  { name: 'a misspelt flag', argv: [SERVER, '--tpye', 'HARD'], env: base, field: '--tpye', says: /^unknown option '--tpye' \(did you mean --type\?\)$/ },
  { name: '--json=value', argv: [SERVER, '--json=yes'], env: base, field: '--json', says: /--json takes no value/ },
  { name: '--os-cloud with ECS credentials set', argv: [SERVER, '--os-cloud', 'prod'], env: base, field: '--os-cloud', says: /^--os-cloud takes its credentials from clouds\.yaml: unset ECS_AUTH_TOKEN$/ },
  { name: '--os-cloud with --endpoint', argv: [SERVER, '--os-cloud', 'prod', '--endpoint', 'https://ecs.example.com'], env: () => ({}), field: '--endpoint', says: /^--endpoint is not taken with --os-cloud: the endpoint and project come from the cloud's catalog$/ },
  { name: '--os-cloud with --project-id', argv: [SERVER, '--os-cloud', 'prod', '--project-id', PROJECT], env: () => ({}), field: '--project-id', says: /^--project-id is not taken with --os-cloud/ },
  { name: 'an empty --os-cloud', argv: [SERVER, '--os-cloud', ''], env: () => ({}), field: '--os-cloud', says: /^--os-cloud must name a cloud of clouds\.yaml$/ },
];

describe('ecs-stop: usage errors exit 2 and send nothing', () => {
  it.each(usageCases)('$name', async ({ argv, env, field, says }) => {
    const readable = await run(argv.filter((a) => a !== '--json'), env(TOKEN_CREDS));
    expect(readable.code).toBe(exitCodes.usage);
    expect(readable.requests).toHaveLength(0);
    expect(readable.stdout).toEqual([]);
    expect(readable.stderr[0]).toMatch(/^ecs-stop: /);
    expect(readable.stderr[0]!.slice('ecs-stop: '.length)).toMatch(says);
    expect(readable.stderr[1]).toBe("Try 'ecs-stop --help' for more information.");

    const json = await run([...argv, '--json'], env(TOKEN_CREDS));
    expect(json.code).toBe(exitCodes.usage);
    expect(json.requests).toHaveLength(0);
    expect(jsonLine(json)).toEqual({ ok: false, error: { kind: 'usage', field, message: expect.stringMatching(says) } });
  });
});

describe('ecs-stop --os-cloud, on an in-memory Keystone and Nova', () => {
  let folder: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'cli-cloud-'));
    const file = join(folder, 'clouds.yaml');
    writeFileSync(file, `clouds:\n  mem:\n    auth: {auth_url: 'https://keystone.example.com/v3', user_id: u-1, project_id: ${PROJECT}, password: cli-Pa55word-x1}\n`, { mode: 0o600 });
    env = { OS_CLIENT_CONFIG_FILE: file, OS_CLIENT_SECURE_FILE: join(folder, 'none.yaml') };
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const keystoneAndNova: Responder = async (request) =>
    request.url === 'https://keystone.example.com/v3/auth/tokens'
      ? json(201, { token: { expires_at: '2099-01-01T00:00:00Z', issued_at: '2098-12-31T23:00:00Z', project: { id: PROJECT }, catalog: [{ type: 'compute', endpoints: [{ interface: 'public', url: `https://nova.example.com/v2.1/${PROJECT}` }] }] } }, { 'X-Subject-Token': 'MIIE-cli-token' })
      : new Response(null, { status: 202, headers: { 'X-Openstack-Request-Id': REQUEST_ID } });

  it('signs in, takes the endpoint from the catalog, stops; --nova-version and --timeout-ms given still apply', async () => {
    const result = await run(['--os-cloud', 'mem', SERVER, '--nova-version', 'v2', '--timeout-ms', '5000', '--json'], env, keystoneAndNova);
    expect(result.code).toBe(exitCodes.ok);
    expect(result.requests.map((r) => r.url)).toEqual(['https://keystone.example.com/v3/auth/tokens', `https://nova.example.com/v2/${PROJECT}/servers/${SERVER}/action`]);
    expect(result.requests[1]!.headers.get('x-auth-token')).toBe('MIIE-cli-token');
    expect(jsonLine(result)).toMatchObject({ ok: true, endpoint: 'https://nova.example.com', novaVersion: 'v2' });
    expect(JSON.stringify([result.stdout, result.stderr])).not.toContain('cli-Pa55word-x1');
  });

  it('OS_CLOUD, with the cloud\'s own Nova version, --microversion and --allow-insecure-http passed on', async () => {
    const result = await run([SERVER, '--microversion', '2.60', '--allow-insecure-http'], { ...env, OS_CLOUD: 'mem' }, keystoneAndNova);
    expect(result.code).toBe(exitCodes.ok);
    expect(result.requests[1]!.url).toBe(`https://nova.example.com/v2.1/${PROJECT}/servers/${SERVER}/action`);
    expect(result.requests[1]!.headers.get('x-openstack-nova-api-version')).toBe('2.60');
  });

  it('a cloud the file does not have: exit 2, the file and the clouds it has named', async () => {
    const result = await run(['--os-cloud', 'prod', SERVER], env, keystoneAndNova);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.stderr[0]).toMatch(/names 'prod', which .*clouds\.yaml does not have \(it has mem\)/);
    expect(result.requests).toHaveLength(0);
  });
});

describe('ecs-stop: OS_CLOUD beside Huawei’s variables', () => {
  it('the ECS credentials win: OS_CLOUD set globally does not change a run that has them', async () => {
    const result = await run([SERVER], { ...TOKEN_ENV, OS_CLOUD: 'some-openstack-cloud' });
    expect(result.code).toBe(exitCodes.ok);
    expect(result.requests.map((r) => r.url)).toEqual([STOP_URL]);
  });
});

describe('ecs-stop: API errors exit 3 with the server’s message', () => {
  it('404 itemNotFound (Nova)', async () => {
    const result = await run([SERVER], TOKEN_ENV, novaNotFound);
    expect(result.code).toBe(exitCodes.api);
    expect(result.stdout).toEqual([]);
    expect(result.stderr).toEqual([
      `ecs-stop: 404 itemNotFound: Instance ${SERVER} could not be found. (request ${REQUEST_ID})`,
    ]);
    expect(jsonLine(await run([SERVER, '--json'], TOKEN_ENV, novaNotFound))).toEqual({
      ok: false,
      error: {
        kind: 'itemNotFound',
        status: 404,
        code: null,
        message: `Instance ${SERVER} could not be found.`,
        requestId: REQUEST_ID,
        retryAfter: null,
      },
    });
  });

  it('401 APIGW.0301 (gateway)', async () => {
    const result = await run([SERVER], AKSK_ENV, gatewayUnauthorized);
    expect(result.code).toBe(3);
    expect(result.stderr).toEqual([
      `ecs-stop: 401 APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail (request ${GATEWAY_REQUEST_ID})`,
    ]);
    expect(jsonLine(await run([SERVER, '--json'], AKSK_ENV, gatewayUnauthorized)).error).toMatchObject({
      kind: 'gateway',
      status: 401,
      code: 'APIGW.0301',
      requestId: GATEWAY_REQUEST_ID,
    });
  });

  it('404 Ecs.0114 (ECS)', async () => {
    const result = await run([SERVER], TOKEN_ENV, ecsNotFound);
    expect(result.code).toBe(3);
    expect(result.stderr).toEqual(['ecs-stop: 404 Ecs.0114: The ECS does not exist.']);
    expect(jsonLine(await run([SERVER, '--json'], TOKEN_ENV, ecsNotFound)).error).toEqual({
      kind: 'ecs',
      status: 404,
      code: 'Ecs.0114',
      message: 'The ECS does not exist.',
      requestId: null,
      retryAfter: null,
    });
  });

  it('an empty-bodied 500, and a 429 retried then reported with Retry-After', async () => {
    const empty = await run([SERVER], TOKEN_ENV, async () => new Response(null, { status: 500 }));
    expect(empty.code).toBe(3);
    expect(empty.stderr).toEqual(['ecs-stop: 500: HTTP 500']);
    const limited = await run(
      [SERVER],
      TOKEN_ENV,
      jsonError(429, { overLimit: { code: 429, message: 'This request was rate-limited.' } }, { 'Retry-After': '0' }),
    );
    expect(limited.code).toBe(3);
    expect(limited.requests).toHaveLength(3);
    expect(limited.stderr).toEqual(['ecs-stop: 429 overLimit: This request was rate-limited. (retry after 0 s)']);
  });

  it('strips control characters from the server’s message', async () => {
    const result = await run([SERVER], TOKEN_ENV, jsonError(409, { conflictingRequest: { code: 409, message: 'a\u001b[31mb\nc' } }));
    expect(result.code).toBe(3);
    expect(result.stderr).toEqual(['ecs-stop: 409 conflictingRequest: a [31mb c']);
  });
});

describe('ecs-stop: no answer exits 4', () => {
  it('a network error', async () => {
    const result = await run([SERVER], TOKEN_ENV, plainNetworkFailure);
    expect(result.code).toBe(exitCodes.network);
    expect(result.stderr).toEqual([`ecs-stop: Network error (POST ${STOP_URL})`]);
    expect(jsonLine(await run([SERVER, '--json'], TOKEN_ENV, plainNetworkFailure)).error).toEqual({
      kind: 'network',
      status: null,
      code: null,
      message: `Network error (POST ${STOP_URL})`,
      requestId: null,
      retryAfter: null,
    });
  });

  it('ECONNREFUSED, after the client’s two retries (up to ~1.5 s of backoff)', async () => {
    const result = await run([SERVER, '--timeout-ms', '1000', '--json'], TOKEN_ENV, connectionRefused);
    expect(result.code).toBe(4);
    expect(result.requests).toHaveLength(3);
    expect(jsonLine(result).error).toMatchObject({ kind: 'network', status: null, code: 'ECONNREFUSED' });
  }, 10_000);

  it('a timeout', async () => {
    const result = await run([SERVER, '--timeout-ms', '50'], AKSK_ENV, neverAnswers);
    expect(result.code).toBe(4);
    expect(result.stderr).toEqual([`ecs-stop: No response within the timeout (POST ${STOP_URL})`]);
    expect(jsonLine(await run([SERVER, '--timeout-ms', '50', '--json'], AKSK_ENV, neverAnswers)).error).toMatchObject({
      kind: 'timeout',
      status: null,
    });
  });
});

describe('ecs-stop: anything else exits 1', () => {
  it('an unexpected error is reported on stderr', async () => {
    const stderr: string[] = [];
    const code = await main([SERVER], TOKEN_ENV, {
      stdout: () => {
        throw new Error('write EPIPE');
      },
      stderr: (line) => stderr.push(line),
      fetch: accepted,
    });
    expect(code).toBe(exitCodes.unexpected);
    expect(stderr).toEqual(['ecs-stop: unexpected error: Error: write EPIPE']);
  });

  it('main never rejects, even when no output can be written', async () => {
    const broken = () => {
      throw new Error('write EPIPE');
    };
    await expect(main([SERVER, '--json'], TOKEN_ENV, { stdout: broken, stderr: broken, fetch: accepted })).resolves.toBe(1);
  });
});
