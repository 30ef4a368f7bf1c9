/**
 * The Prism mock of the spec, asked directly: the stop bodies it accepts and refuses, no
 * credentials, every named response example (each valid for its schema, and served with its exact
 * status by every operation that declares it), and the success responses.
 */
import { describe, expect, inject, it } from 'vitest';
import { recordingFetch } from '../support/exchanges.js';
import {
  acceptedStopBodies,
  deref,
  namedResponseExamples,
  operation,
  refusedStopBodies,
  spec,
  validator,
  validProjectId,
  validServerId,
  type JsonObject,
  type ResponseExample,
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
});

describe('every named response example', () => {
  // An undeclared status such as 405 is answered from `default`.
  const code = (status: string) => (status === 'default' ? '405' : status);

  /** Asks the mock for `use`'s response with this example (Prism falls back to 202 when it cannot). */
  function serve(use: ResponseExample): Promise<Response> {
    const { method } = operation(use.operationId);
    const url = mockUrl + use.path.replace('{project_id}', validProjectId).replace('{server_id}', validServerId);
    return recordingFetch(url, {
      method: method.toUpperCase(),
      headers: {
        'X-Auth-Token': 'a-token',
        Prefer: `code=${code(use.status)}, example=${use.name}`,
        ...(method === 'post' && { 'Content-Type': 'application/json' }),
      },
      ...(method === 'post' && { body: '{"os-stop": {}}' }),
    });
  }

  it.each(namedResponseExamples.map((e) => [e.label, e] as const))('%s: valid for its schema, and served by every operation that declares it', async (_, example) => {
    const validate = validator(example.schema);
    expect(validate(example.value), JSON.stringify(validate.errors)).toBe(true);
    for (const use of example.uses) {
      const response = await serve(use);
      expect(response.status, use.operationId).toBe(Number(code(use.status)));
      expect(response.headers.get('content-type'), use.operationId).toMatch(/^application\/json/);
      expect(await response.json(), use.operationId).toEqual(example.value);
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
