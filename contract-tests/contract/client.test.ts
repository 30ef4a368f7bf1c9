/**
 * The typed client against the mock: its requests accepted with either auth on both versions, and
 * each named error example of the spec turned into the right EcsApiError (kind, code, message,
 * request ID, Retry-After), once per example.
 */
import { describe, expect, inject, it } from 'vitest';
import { akskAuth, createEcsClient, EcsApiError, keystoneAuth, tokenAuth, type EcsClientOptions } from '../../src/index.js';
import { recordingFetch } from '../support/exchanges.js';
import { manyServerIds, namedResponseExamples, operations, type NamedExample, validJobId, validProjectId, validServerId } from '../support/spec.js';

const mockUrl = inject('targetUrl');
const auths = {
  token: () => tokenAuth('contract-test-token'),
  aksk: () => akskAuth({ ak: 'CONTRACTTESTAK', sk: 'contract-test-sk' }),
};

/** The second server of the spec's job examples. */
const otherServerId = '9b1f5d2e-6c3a-4e8b-8f0d-2a7c5e1b3d94';

type Prefer = string | ((request: Request) => string | undefined);

function client(options: Partial<EcsClientOptions> & { prefer?: Prefer; requests?: Request[]; responses?: Response[] } = {}) {
  const { prefer, requests, responses, ...rest } = options;
  return createEcsClient({
    endpoint: mockUrl,
    projectId: validProjectId,
    auth: auths.token(),
    retry: false,
    fetch: async (request: Request) => {
      // Prism picks the response to force from the Prefer header.
      const preferred = typeof prefer === 'function' ? prefer(request) : prefer;
      if (preferred !== undefined) request.headers.set('Prefer', preferred);
      requests?.push(request);
      const response = await recordingFetch(request);
      responses?.push(response.clone());
      return response;
    },
    ...rest,
  });
}

describe.each(['v2', 'v2.1'] as const)('the client against the mock, %s', (novaVersion) => {
  it.each([
    ['token', undefined],
    ['token', 'SOFT'],
    ['aksk', 'HARD'],
    ['aksk', undefined],
  ] as const)('with %s auth and type %s is accepted', async (auth, type) => {
    const requests: Request[] = [];
    const ecs = client({ novaVersion, auth: auths[auth](), requests });
    const result = await ecs.stopServer(validServerId, type === undefined ? {} : { type });
    expect(result.status).toBe(202);
    expect(result.requestId).toMatch(/^req-/);
    // Accepted as what it is: a signed AK/SK request (no token to fall back on), or a token one.
    const [sent] = requests;
    if (auth === 'aksk') {
      expect(sent!.headers.get('authorization')).toMatch(/^SDK-HMAC-SHA256 Access=CONTRACTTESTAK, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$/);
      expect(sent!.headers.get('x-sdk-date')).toMatch(/^\d{8}T\d{6}Z$/);
      expect(sent!.headers.has('x-auth-token')).toBe(false);
    } else {
      expect(sent!.headers.get('x-auth-token')).toBe('contract-test-token');
    }
  });

  it('resolves on 204', async () => {
    const result = await client({ novaVersion, prefer: 'code=204' }).stopServer(validServerId);
    expect(result.status).toBe(204);
  });
});

/** The Prefer header for each kind of request: the job's and the server reads' examples. */
const preferFor =
  (job: string, server = 'example=stopped'): Prefer =>
  (request) =>
    request.url.includes('/jobs/') ? `example=${job}` : request.method === 'GET' ? server : undefined;

describe('the batch stop and its job through the client against the mock', () => {
  it.each([
    ['token', 1, undefined],
    ['aksk', 1, 'HARD'],
    ['token', 1000, 'SOFT'],
    ['aksk', 1000, undefined],
  ] as const)('with %s auth, %i servers and type %s: accepted as a job', async (auth, count, type) => {
    const requests: Request[] = [];
    const ids = count === 1 ? [validServerId] : manyServerIds(count);
    const result = await client({ auth: auths[auth](), requests }).stopServers(ids, type === undefined ? {} : { type });
    // The mock answers 200 only to a body inside the contract (else 400 Ecs.0005).
    expect(result).toEqual({ jobId: validJobId, status: 200, requestId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([`POST /v1/${validProjectId}/cloudservers/action`]);
  });

  it('a 202 with the job is accepted too', async () => {
    await expect(client({ prefer: 'code=202' }).stopServers([validServerId])).resolves.toMatchObject({ jobId: validJobId, status: 202 });
  });

  it.each([
    ['init', 'INIT'],
    ['running', 'RUNNING'],
    ['succeeded', 'SUCCESS'],
    ['failedForOneServer', 'FAIL'],
  ] as const)('getJob reads the example %s as a %s job', async (example, status) => {
    const job = await client({ prefer: `example=${example}` }).getJob(validJobId);
    expect(job).toMatchObject({ job_id: validJobId, status });
  });

  it('stopServers with wait: the job succeeded, then each server is read until SHUTOFF', async () => {
    const requests: Request[] = [];
    const result = await client({ prefer: preferFor('succeeded'), requests }).stopServers([validServerId, otherServerId], { wait: true });
    expect(result.job).toEqual({
      jobId: validJobId,
      status: 'SUCCESS',
      ok: true,
      servers: [
        { serverId: validServerId, outcome: 'stopped', server: expect.objectContaining({ status: 'SHUTOFF' }) },
        { serverId: otherServerId, outcome: 'stopped', server: expect.objectContaining({ status: 'SHUTOFF' }) },
      ],
    });
    const reads = requests.filter((r) => r.method === 'GET').map((r) => new URL(r.url).pathname);
    expect(reads.sort()).toEqual(
      [`/v1/${validProjectId}/jobs/${validJobId}`, `/v2.1/${validProjectId}/servers/${otherServerId}`, `/v2.1/${validProjectId}/servers/${validServerId}`].sort(),
    );
  });

  it("waitForJob on a job that failed for one server: that server failed with ECS's code and message, the other stopped", async () => {
    const requests: Request[] = [];
    const result = await client({ prefer: preferFor('failedForOneServer'), requests }).waitForJob(validJobId);
    expect(result).toEqual({
      jobId: validJobId,
      status: 'FAIL',
      ok: false,
      servers: [
        { serverId: validServerId, outcome: 'stopped', server: expect.objectContaining({ status: 'SHUTOFF' }) },
        { serverId: otherServerId, outcome: 'failed', reason: 'job', code: 'Ecs.0100', message: 'Ecs.0100: The ECS status does not meet requirements.' },
      ],
    });
    // The failed server is not read: its sub-job already said why.
    expect(requests.some((r) => r.url.endsWith(otherServerId))).toBe(false);
  });
});

describe.each(['v2', 'v2.1'] as const)('the server list through the client against the mock, %s', (novaVersion) => {
  it('findServersByName sends the name anchored and escaped, which the mock takes, and keeps exact names only', async () => {
    const requests: Request[] = [];
    const find = (name: string, example: string) => client({ novaVersion, prefer: `example=${example}`, requests }).findServersByName(name);
    expect((await find('ecs-web', 'twoMatches')).map((s) => s.id)).toEqual([validServerId, otherServerId]);
    expect(await find('ecs-web-01', 'oneMatch')).toEqual([expect.objectContaining({ id: validServerId, name: 'ecs-web-01' })]);
    // The mock's one match is named ecs-web-01: not ecs-web exactly.
    expect(await find('ecs-web', 'oneMatch')).toEqual([]);
    expect(await find('ecs-web', 'noMatch')).toEqual([]);
    expect(new URL(requests[0]!.url).searchParams.get('name')).toBe('^ecs\\-web$');
    expect(new URL(requests[0]!.url).pathname).toBe(`/${novaVersion}/${validProjectId}/servers`);
  });

  it('listServers with a name pattern and a status', async () => {
    const requests: Request[] = [];
    const servers = await client({ novaVersion, requests }).listServers({ name: 'web', status: 'SHUTOFF' });
    expect(servers).toEqual([expect.objectContaining({ id: validServerId, name: 'ecs-web-01' })]);
    expect(Object.fromEntries(new URL(requests[0]!.url).searchParams)).toEqual({ name: 'web', status: 'SHUTOFF' });
  });
});

const NOVA_FAULTS = new Set([
  'badRequest', 'unauthorized', 'forbidden', 'itemNotFound', 'badMethod', 'conflictingRequest',
  'overLimit', 'badMediaType', 'notImplemented', 'serviceUnavailable', 'computeFault',
]);

/** What a user must be told for one of the spec's error bodies: its kind, code and message, and what else the body says. */
function owed(value: unknown) {
  const body = value as Record<string, Record<string, unknown>>;
  const [key] = Object.keys(body);
  if (key !== undefined && NOVA_FAULTS.has(key)) {
    const fault = body[key] as { message: string; retryAfter?: string };
    return { kind: key, code: undefined, message: fault.message, bodyRequestId: undefined, bodyRetryAfter: fault.retryAfter };
  }
  if ('error_code' in body) {
    const gateway = body as unknown as { error_code: string; error_msg: string; request_id?: string };
    // IAM's own flat errors (IAM.NNNN) are the identity layer's.
    const kind = gateway.error_code.startsWith('IAM.') ? 'identity' : 'gateway';
    return { kind, code: gateway.error_code, message: gateway.error_msg, bodyRequestId: gateway.request_id, bodyRetryAfter: undefined };
  }
  const error = body.error as { code: string | number; message: string; details?: { message: string }[] };
  if (typeof error.code === 'number') return { kind: 'identity', code: undefined, message: error.message, bodyRequestId: undefined, bodyRetryAfter: undefined };
  // Huawei wraps a failed Nova call as Ecs.1000, the Nova fault JSON as its message: the user is told the fault's message.
  const own = error.code === 'Ecs.1000' ? (Object.values(JSON.parse(error.message) as Record<string, { message: string }>)[0]!.message) : error.message;
  // ECS's details, naming the fields it refused, follow the message.
  const message = error.details?.length ? `${own} (${error.details.map((detail) => detail.message).join('; ')})` : own;
  return { kind: 'ecs', code: error.code, message, bodyRequestId: undefined, bodyRetryAfter: undefined };
}

type Ecs = ReturnType<typeof client>;

/**
 * The client calls that meet each operation the client uses, on the Nova version of its path (the
 * native ECS operations are on /v1 whatever the Nova version).
 */
/** keystoneAuth with its token call on the mock (createToken), as Huawei IAM would be asked. */
const keystoneOnMock = () =>
  keystoneAuth({ authUrl: `${mockUrl}/v3`, username: 'ops-robot', userDomainName: 'acme-account', password: 'example-Pa55word', projectName: 'cn-north-4' });

const clientCalls: Record<string, { novaVersion: 'v2' | 'v2.1'; name: string; call: (ecs: Ecs) => Promise<unknown>; options?: () => Partial<EcsClientOptions> }[]> = {
  stopServerV21: [{ novaVersion: 'v2.1', name: 'stopServer', call: (ecs) => ecs.stopServer(validServerId) }],
  stopServerV2: [{ novaVersion: 'v2', name: 'stopServer', call: (ecs) => ecs.stopServer(validServerId) }],
  showServerV21: [{ novaVersion: 'v2.1', name: 'getServer', call: (ecs) => ecs.getServer(validServerId) }],
  showServerV2: [{ novaVersion: 'v2', name: 'getServer', call: (ecs) => ecs.getServer(validServerId) }],
  listServersV21: [
    { novaVersion: 'v2.1', name: 'listServers', call: (ecs) => ecs.listServers({ status: 'ACTIVE' }) },
    { novaVersion: 'v2.1', name: 'findServersByName', call: (ecs) => ecs.findServersByName('ecs-web-01') },
  ],
  listServersV2: [
    { novaVersion: 'v2', name: 'listServers', call: (ecs) => ecs.listServers({ name: 'web' }) },
    { novaVersion: 'v2', name: 'findServersByName', call: (ecs) => ecs.findServersByName('ecs-web-01') },
  ],
  batchStopServers: [{ novaVersion: 'v2.1', name: 'stopServers', call: (ecs) => ecs.stopServers([validServerId, otherServerId], { type: 'HARD' }) }],
  showJob: [{ novaVersion: 'v2.1', name: 'getJob', call: (ecs) => ecs.getJob(validJobId) }],
  createToken: [{ novaVersion: 'v2.1', name: 'keystoneAuth', call: (ecs) => ecs.stopServer(validServerId), options: () => ({ auth: keystoneOnMock() }) }],
};

/** Each client call that meets the example: one per client function of each operation that declares it. */
const callsFor = (example: NamedExample) =>
  example.uses.flatMap((use) => (clientCalls[use.operationId] ?? []).map((call) => ({ ...call, operationId: use.operationId })));

describe('keystoneAuth against the mock', () => {
  it("gets its token from createToken (the documented example's X-Subject-Token) and stops the server with it", async () => {
    const requests: Request[] = [];
    const responses: Response[] = [];
    const result = await client({ auth: keystoneOnMock(), requests, responses }).stopServer(validServerId);
    expect(result.status).toBe(202);
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['POST /v3/auth/tokens', `POST /v2.1/${validProjectId}/servers/${validServerId}/action`]);
    expect(responses[0]!.status).toBe(201);
    const token = responses[0]!.headers.get('x-subject-token');
    expect(token).toMatch(/^MII/);
    expect(requests[1]!.headers.get('x-auth-token')).toBe(token);
  });
});

describe('every named error example of the spec', () => {
  const errorExamples = namedResponseExamples.filter((e) => /^[45]|default/.test(e.status));
  // An undeclared status such as 405 is answered from `default`.
  const code = (status: string) => (status === 'default' ? '405' : status);

  it('are of all four shapes, including Ecs.1000 wrapping a Nova fault and overLimit, and each reaches the client', () => {
    const kinds = new Set(errorExamples.map((example) => owed(example.value).kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['identity', 'ecs', 'gateway', 'itemNotFound', 'overLimit']));
    expect(errorExamples.some((example) => owed(example.value).code === 'Ecs.1000')).toBe(true);
    expect(errorExamples.filter((example) => callsFor(example).length === 0).map((example) => example.label)).toEqual([]);
  });

  it('only the version documents are operations the client does not call', () => {
    expect(operations.map((op) => op.operationId).filter((id) => clientCalls[id] === undefined)).toEqual(['listVersions', 'showVersionV2', 'showVersionV21']);
  });

  it.each(errorExamples.map((e) => [e.label, e] as const))('%s: the client throws the typed error from every operation that declares it', async (_, example) => {
    const want = owed(example.value);
    for (const { operationId, name, novaVersion, call, options } of callsFor(example)) {
      const where = `${name} (${operationId})`;
      const responses: Response[] = [];
      const error = await call(client({ novaVersion, prefer: `code=${code(example.status)}, example=${example.name}`, responses, ...options?.() })).then(
        () => expect.fail(`${where} resolved`),
        (e: unknown) => e,
      );
      expect(error, where).toBeInstanceOf(EcsApiError);
      expect(error, where).toMatchObject({ status: Number(code(example.status)), kind: want.kind, code: want.code, message: want.message });
      // The request ID and Retry-After: the response's headers first (Prism sends the declared ones), else the body's.
      const [served] = responses;
      const header = (name: string) => served!.headers.get(name) ?? undefined;
      const requestId = header('x-openstack-request-id') ?? header('x-compute-request-id') ?? header('x-request-id') ?? want.bodyRequestId;
      expect((error as EcsApiError).requestId, where).toBe(requestId);
      expect((error as EcsApiError).requestId, where).toMatch(/^(req-[0-9a-f-]{36}|[0-9a-f]{32})$/);
      const retryAfter = header('retry-after') ?? want.bodyRetryAfter;
      expect((error as EcsApiError).retryAfter, where).toBe(retryAfter === undefined ? undefined : Number(retryAfter));
    }
  });
});
