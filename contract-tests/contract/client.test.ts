/**
 * The typed client against the mock: its requests accepted with either auth on both versions, and
 * each named error example of the spec turned into the right EcsApiError (kind, code, message,
 * request ID, Retry-After), once per example.
 */
import { describe, expect, inject, it } from 'vitest';
import { akskAuth, createEcsClient, EcsApiError, tokenAuth, type EcsClientOptions } from '../../src/index.js';
import { recordingFetch } from '../support/exchanges.js';
import { namedResponseExamples, type NamedExample, validProjectId, validServerId } from '../support/spec.js';

const mockUrl = inject('targetUrl');
const auths = {
  token: () => tokenAuth('contract-test-token'),
  aksk: () => akskAuth({ ak: 'CONTRACTTESTAK', sk: 'contract-test-sk' }),
};

function client(options: Partial<EcsClientOptions> & { prefer?: string; requests?: Request[]; responses?: Response[] } = {}) {
  const { prefer, requests, responses, ...rest } = options;
  return createEcsClient({
    endpoint: mockUrl,
    projectId: validProjectId,
    auth: auths.token(),
    retry: false,
    fetch: async (request: Request) => {
      // Prism picks the response to force from the Prefer header.
      if (prefer !== undefined) request.headers.set('Prefer', prefer);
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
    return { kind: 'gateway', code: gateway.error_code, message: gateway.error_msg, bodyRequestId: gateway.request_id, bodyRetryAfter: undefined };
  }
  const error = body.error as { code: string | number; message: string };
  if (typeof error.code === 'number') return { kind: 'identity', code: undefined, message: error.message, bodyRequestId: undefined, bodyRetryAfter: undefined };
  // Huawei wraps a failed Nova call as Ecs.1000, the Nova fault JSON as its message: the user is told the fault's message.
  const message = error.code === 'Ecs.1000' ? (Object.values(JSON.parse(error.message) as Record<string, { message: string }>)[0]!.message) : error.message;
  return { kind: 'ecs', code: error.code, message, bodyRequestId: undefined, bodyRetryAfter: undefined };
}

/** The client call that meets the example, and the API version it is on (the client reads servers and stops them). */
function callFor(example: NamedExample) {
  for (const operationId of ['stopServerV21', 'stopServerV2', 'showServerV21', 'showServerV2']) {
    if (!example.uses.some((use) => use.operationId === operationId)) continue;
    const novaVersion = operationId.endsWith('V21') ? 'v2.1' : 'v2';
    return { operationId, novaVersion, call: (ecs: ReturnType<typeof client>) => (operationId.startsWith('stop') ? ecs.stopServer(validServerId) : ecs.getServer(validServerId)) } as const;
  }
  return undefined;
}

describe('every named error example of the spec', () => {
  const errorExamples = namedResponseExamples.filter((e) => /^[45]|default/.test(e.status));
  // An undeclared status such as 405 is answered from `default`.
  const code = (status: string) => (status === 'default' ? '405' : status);

  it('are of all four shapes, including Ecs.1000 wrapping a Nova fault and overLimit, and each reaches the client', () => {
    const kinds = new Set(errorExamples.map((example) => owed(example.value).kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['identity', 'ecs', 'gateway', 'itemNotFound', 'overLimit']));
    expect(errorExamples.some((example) => owed(example.value).code === 'Ecs.1000')).toBe(true);
    expect(errorExamples.filter((example) => callFor(example) === undefined).map((example) => example.label)).toEqual([]);
  });

  it.each(errorExamples.map((e) => [e.label, e] as const))('%s: the client throws the typed error', async (_, example) => {
    const { novaVersion, call } = callFor(example)!;
    const responses: Response[] = [];
    const error = await call(client({ novaVersion, prefer: `code=${code(example.status)}, example=${example.name}`, responses })).then(
      () => expect.fail('resolved'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EcsApiError);
    const want = owed(example.value);
    expect(error).toMatchObject({ status: Number(code(example.status)), kind: want.kind, code: want.code, message: want.message });
    // The request ID and Retry-After: the response's headers first (Prism sends the declared ones), else the body's.
    const [served] = responses;
    const header = (name: string) => served!.headers.get(name) ?? undefined;
    const requestId = header('x-openstack-request-id') ?? header('x-compute-request-id') ?? header('x-request-id') ?? want.bodyRequestId;
    expect((error as EcsApiError).requestId).toBe(requestId);
    expect((error as EcsApiError).requestId).toMatch(/^(req-[0-9a-f-]{36}|[0-9a-f]{32})$/);
    const retryAfter = header('retry-after') ?? want.bodyRetryAfter;
    expect((error as EcsApiError).retryAfter).toBe(retryAfter === undefined ? undefined : Number(retryAfter));
  });
});
