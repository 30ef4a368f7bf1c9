import { describe, expect, inject, it } from 'vitest';
import { akskAuth, createEcsClient, EcsApiError, tokenAuth, type EcsClientOptions } from '../../src/index.js';
import { recordingFetch } from '../support/exchanges.js';
import { responseExamples, validProjectId, validServerId } from '../support/spec.js';

const mockUrl = inject('targetUrl');
const auths = {
  token: () => tokenAuth('contract-test-token'),
  aksk: () => akskAuth({ ak: 'CONTRACTTESTAK', sk: 'contract-test-sk' }),
};

function client(options: Partial<EcsClientOptions> & { prefer?: string } = {}) {
  const { prefer, ...rest } = options;
  return createEcsClient({
    endpoint: mockUrl,
    projectId: validProjectId,
    auth: auths.token(),
    retry: false,
    fetch: (request: Request) => {
      // Prism picks the response to force from the Prefer header.
      if (prefer !== undefined) request.headers.set('Prefer', prefer);
      return recordingFetch(request);
    },
    ...rest,
  });
}

describe.each(['v2', 'v2.1'] as const)('the client against the mock, %s', (apiVersion) => {
  it.each([
    ['token', undefined],
    ['token', 'SOFT'],
    ['aksk', 'HARD'],
    ['aksk', undefined],
  ] as const)('with %s auth and type %s is accepted', async (auth, type) => {
    const ecs = client({ apiVersion, auth: auths[auth]() });
    const result = await ecs.stopServer(validServerId, type === undefined ? {} : { type });
    expect(result.status).toBe(202);
    expect(result.requestId).toMatch(/^req-/);
  });

  it('resolves on 204', async () => {
    const result = await client({ apiVersion, prefer: 'code=204' }).stopServer(validServerId);
    expect(result.status).toBe(204);
  });

  const examples = responseExamples.filter((e) => e.path.startsWith(`/${apiVersion}/`) && /^[45]/.test(e.status));
  it.each(examples.map((e) => [`${e.operationId} ${e.status} ${e.name}`, e] as const))('throws a typed error for %s', async (_, example) => {
    const ecs = client({ apiVersion, prefer: `code=${example.status}, example=${example.name}` });
    const call = example.operationId.startsWith('stopServer') ? ecs.stopServer(validServerId) : ecs.getServer(validServerId);
    const error = await call.then(
      () => expect.fail('resolved'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EcsApiError);
    const apiError = error as EcsApiError;
    expect(apiError.status).toBe(Number(example.status));
    const body = example.value as Record<string, Record<string, unknown>>;
    if ('error_code' in body) {
      expect([apiError.kind, apiError.code, apiError.message]).toEqual(['gateway', body.error_code, body.error_msg]);
    } else if ('error' in body && typeof body.error!.code === 'number') {
      expect([apiError.kind, apiError.code, apiError.message]).toEqual(['identity', undefined, body.error!.message]);
    } else if ('error' in body) {
      expect([apiError.kind, apiError.code]).toEqual(['ecs', body.error!.code]);
      expect(String(body.error!.message)).toContain(apiError.message);
    } else {
      const [fault, detail] = Object.entries(body)[0]!;
      expect([apiError.kind, apiError.code, apiError.message]).toEqual([fault, undefined, detail.message]);
    }
    expect(apiError.requestId).toMatch(/^(req-[0-9a-f-]{36}|[0-9a-f]{32})$/);
  });
});
