import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  acceptedStopBodies,
  componentValidator,
  deref,
  namedResponseExamples,
  operation,
  operations,
  refusedStopBodies,
  responseExamples,
  spec,
  validator,
  type JsonObject,
} from '../support/spec.js';

// `npm run lint` (redocly.yaml) already holds the document to: valid OpenAPI structure, unique
// operationIds, a 2xx and a 4xx per operation, defined tags and security, and every example of a
// media type (request and response bodies), of a parameter and of a schema valid for its schema.
// No test here repeats those; the contract project also checks each response example against its
// schema where it has the mock serve it (contract/mock-spec.test.ts).

describe('the document', () => {
  it('is a valid OpenAPI 3.1 document for an independent validator', async () => {
    const result = await new Validator().validate(structuredClone(spec));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('carries the package\'s version as info.version, in spec/ and in the bundle', () => {
    const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect((parse(read('spec/openapi.yaml')) as JsonObject).info).toHaveProperty('version', version);
    expect(spec.info).toHaveProperty('version', version);
  });

  it('describes the stop action once per API version, deprecated, under Huawei\'s name', () => {
    const stops = operations.filter((op) => op.path.endsWith('/servers/{server_id}/action'));
    expect(stops.map((op) => [op.method, op.path, op.operationId])).toEqual([
      ['post', '/v2/{project_id}/servers/{server_id}/action', 'stopServerV2'],
      ['post', '/v2.1/{project_id}/servers/{server_id}/action', 'stopServerV21'],
    ]);
    for (const { operation: op } of stops) {
      expect(op['x-huawei-operation-name']).toBe('NovaStopServer');
      expect(op.deprecated).toBe(true);
      expect(op.description).toContain('cloudservers/action');
      expect(op.description).toMatch(/SHUTOFF/);
    }
  });

  it('takes microversion headers and answers 406 on v2.1 only', () => {
    const headerNames = (id: string) =>
      (operation(id).operation.parameters as JsonObject[]).map((p) => deref(p).name);
    expect(headerNames('stopServerV21')).toEqual(
      expect.arrayContaining(['X-OpenStack-Nova-API-Version', 'OpenStack-API-Version']),
    );
    expect(headerNames('stopServerV2')).not.toContain('X-OpenStack-Nova-API-Version');
    expect(headerNames('stopServerV2')).not.toContain('OpenStack-API-Version');
    expect(operation('stopServerV21').operation.responses).toHaveProperty('406');
    expect(operation('stopServerV2').operation.responses).not.toHaveProperty('406');
  });

  it.each(['stopServerV2', 'stopServerV21'])('%s documents every status a caller can meet', (id) => {
    const statuses = Object.keys(operation(id).operation.responses as JsonObject);
    expect(statuses).toEqual(
      expect.arrayContaining(['202', '204', '400', '401', '403', '404', '409', '415', '429', '500', '502', '503', '504', 'default']),
    );
  });

  it('has a named example for every error status of every operation (so that the mock can serve each)', () => {
    const missing = operations.flatMap(({ operationId, operation: op }) =>
      Object.keys(op.responses as JsonObject)
        .filter((status) => /^[45]|default/.test(status))
        .filter((status) => !responseExamples.some((e) => e.operationId === operationId && e.status === status))
        .map((status) => `${operationId} ${status}`),
    );
    expect(missing).toEqual([]);
  });

  it('sends Retry-After with 429', () => {
    const tooMany = deref(deref(operation('stopServerV21').operation.responses as JsonObject)['429']);
    expect(tooMany.headers).toHaveProperty('Retry-After');
  });
});

describe('the request body', () => {
  const validate = componentValidator('StopServerRequest');

  it.each(Object.entries(acceptedStopBodies))('accepts %s', (_, body) => {
    expect(validate(JSON.parse(body)), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(Object.entries(refusedStopBodies))('refuses %s', (_, body) => {
    expect(validate(JSON.parse(body))).toBe(false);
  });

  it('has a named example for each accepted shape', () => {
    const requestBody = deref(operation('stopServerV21').operation.requestBody);
    const examples = ((requestBody.content as JsonObject)['application/json'] as JsonObject).examples as JsonObject;
    const values = Object.values(examples).map((e) => JSON.stringify(deref(e).value));
    expect(values).toEqual(
      expect.arrayContaining(['{"os-stop":null}', '{"os-stop":{}}', '{"os-stop":{"type":"SOFT"}}', '{"os-stop":{"type":"HARD"}}']),
    );
  });
});

describe('path parameters', () => {
  it.each([
    ['ServerId', '4d8c3732-a248-40ed-bebc-539a6ffd25c0', true],
    ['ServerId', '', false],
    ['ServerId', '.', false],
    ['ServerId', '..', false],
    ['ServerId', '4d8c3732-a248-40ed-bebc-539a6ffd25c0/..', false],
    ['ServerId', '4d8c3732a24840edbebc539a6ffd25c0', false],
    ['ProjectId', '77b6a44cba5143ab91d13ab9a8ff44fd', true],
    ['ProjectId', '', false],
    ['ProjectId', '..', false],
    ['ProjectId', '77b6a44c-ba51-43ab-91d1-3ab9a8ff44fd', false],
  ])('%s %j valid: %s', (schema, value, valid) => {
    expect(componentValidator(schema)(value)).toBe(valid);
  });
});

describe('examples lint does not check', () => {
  it('error examples each match exactly one of the five error shapes (ErrorResponse and IdentityErrorResponse are anyOf)', () => {
    const shapes = ['NovaFault', 'EcsError', 'GatewayError', 'IdentityError', 'IamError'].map(componentValidator);
    const errors = namedResponseExamples.filter((e) => /^[45]|default/.test(e.status));
    expect(errors.length).toBeGreaterThan(20);
    for (const example of errors) {
      expect(shapes.filter((shape) => shape(example.value)), example.label).toHaveLength(1);
    }
  });

  it('every parameter and header has an example, and the headers\' are valid for their schemas', () => {
    const components = spec.components as JsonObject;
    for (const kind of ['parameters', 'headers'] as const) {
      for (const [name, item] of Object.entries(components[kind] as JsonObject)) {
        const { schema, example, examples } = item as JsonObject;
        const values = example !== undefined ? [example] : Object.values((examples ?? {}) as JsonObject).map((e) => deref(e).value as Json);
        expect(values.length, `${kind} ${name} has an example`).toBeGreaterThan(0);
        if (kind === 'headers') {
          const validate = validator(schema);
          values.forEach((value, i) => expect(validate(value), `headers ${name} #${i}: ${JSON.stringify(validate.errors)}`).toBe(true));
        }
      }
    }
  });
});

type Json = JsonObject[string];
