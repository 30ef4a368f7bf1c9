import { describe, expect, inject, it } from 'vitest';
import { recordingFetch } from '../support/exchanges.js';
import {
  acceptedStopBodies,
  deref,
  operation,
  operations,
  refusedStopBodies,
  responseExamples,
  spec,
  validProjectId,
  validServerId,
  type JsonObject,
} from '../support/spec.js';

const mockUrl = inject('targetUrl');
const versions = ['v2', 'v2.1'] as const;
const actionUrl = (version: string) => `${mockUrl}/${version}/${validProjectId}/servers/${validServerId}/action`;

function post(version: string, body: string, headers: Record<string, string> = {}) {
  return recordingFetch(actionUrl(version), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': 'a-token', ...headers },
    body,
  });
}

const badRequestExample = deref(
  ((deref(((spec.components as JsonObject).responses as JsonObject).BadRequest).content as JsonObject)['application/json'] as JsonObject)
    .examples as JsonObject,
);
const firstBadRequest = deref(Object.values(badRequestExample)[0]).value;

describe.each(versions)('the mock of %s', (version) => {
  it.each(Object.entries(acceptedStopBodies))('answers 202 with no body to %s', async (_, body) => {
    const response = await post(version, body);
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    expect(response.headers.get('content-type') ?? '').not.toMatch(/json/);
  });

  it.each(Object.entries(refusedStopBodies))('answers 400 badRequest to a body with %s', async (_, body) => {
    const response = await post(version, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(firstBadRequest);
    expect(firstBadRequest).toHaveProperty('badRequest');
  });

  it('answers 401 without credentials', async () => {
    const response = await recordingFetch(actionUrl(version), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"os-stop": {}}',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toHaveProperty('error_code', 'APIGW.0301');
  });

  it('accepts AK/SK credentials instead of a token', async () => {
    const response = await recordingFetch(actionUrl(version), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date, Signature=00',
        'X-Sdk-Date': '20191115T033655Z',
      },
      body: '{"os-stop": {}}',
    });
    expect(response.status).toBe(202);
  });
});

describe('every named response example', () => {
  const cases = responseExamples.map((e) => [`${e.operationId} ${e.status} ${e.name}`, e] as const);
  // An undeclared status such as 405 is answered from `default`.
  const code = (status: string) => (status === 'default' ? '405' : status);

  it.each(cases)('is served by the mock: %s', async (_, example) => {
    const { method } = operation(example.operationId);
    const url = mockUrl + example.path.replace('{project_id}', validProjectId).replace('{server_id}', validServerId);
    const response = await recordingFetch(url, {
      method: method.toUpperCase(),
      headers: {
        'X-Auth-Token': 'a-token',
        Prefer: `code=${code(example.status)}, example=${example.name}`,
        ...(method === 'post' && { 'Content-Type': 'application/json' }),
      },
      ...(method === 'post' && { body: '{"os-stop": {}}' }),
    });
    expect(response.status).toBe(Number(code(example.status)));
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(example.value);
  });

  it('cover every error status of every operation', () => {
    for (const { operationId, operation: op } of operations) {
      const declared = Object.keys(op.responses as JsonObject).filter((s) => /^[45]|default/.test(s));
      const served = new Set(cases.filter(([, e]) => e.operationId === operationId).map(([, e]) => e.status));
      expect(declared.filter((status) => !served.has(status)), operationId).toEqual([]);
    }
  });
});

describe('success responses', () => {
  it.each(versions)('%s 204 has no body', async (version) => {
    const response = await post(version, '{"os-stop": {}}', { Prefer: 'code=204' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('v2.1 202 carries the request id and echoes the microversion', async () => {
    const response = await post('v2.1', '{"os-stop": {}}');
    expect(response.status).toBe(202);
    expect(response.headers.get('x-openstack-request-id')).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(response.headers.get('openstack-api-version')).toMatch(/^compute \d+\.\d+$/);
  });
});
