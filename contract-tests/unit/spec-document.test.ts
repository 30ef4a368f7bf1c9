import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import {
  acceptedStopBodies,
  componentValidator,
  deref,
  operation,
  operations,
  refusedStopBodies,
  responseExamples,
  spec,
  validator,
  type JsonObject,
} from '../support/spec.js';

describe('the document', () => {
  it('is a valid OpenAPI 3.1 document for an independent validator', async () => {
    const result = await new Validator().validate(structuredClone(spec));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
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
    for (const status of statuses.filter((s) => /^[45]|default/.test(s))) {
      const examples = responseExamples.filter((e) => e.operationId === id && e.status === status);
      expect(examples.length, `${id} ${status} has a named example`).toBeGreaterThan(0);
    }
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

describe('every example', () => {
  it.each(responseExamples.map((e) => [`${e.operationId} ${e.status} ${e.name}`, e] as const))(
    '%s matches its schema',
    (_, example) => {
      const validate = validator(example.schema);
      expect(validate(example.value), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it('error examples each match exactly one of the four error shapes', () => {
    const shapes = ['NovaFault', 'EcsError', 'GatewayError', 'IdentityError'].map(componentValidator);
    const errors = responseExamples.filter((e) => /^[45]|default/.test(e.status));
    expect(errors.length).toBeGreaterThan(20);
    for (const example of errors) {
      expect(shapes.filter((shape) => shape(example.value)), example.name).toHaveLength(1);
    }
  });

  it('of request bodies, parameters, headers and schemas matches its schema', () => {
    const checked: string[] = [];
    const check = (where: string, schema: unknown, value: unknown) => {
      const validate = validator(schema);
      expect(validate(value), `${where}: ${JSON.stringify(validate.errors)}`).toBe(true);
      checked.push(where);
    };
    const components = spec.components as JsonObject;
    for (const [name, body] of Object.entries(components.requestBodies as JsonObject)) {
      for (const [mediaType, media] of Object.entries((body as JsonObject).content as JsonObject)) {
        const { schema, examples } = media as JsonObject;
        for (const [exampleName, example] of Object.entries(examples as JsonObject)) {
          check(`requestBodies ${name} ${mediaType} ${exampleName}`, schema, deref(example).value);
        }
      }
    }
    for (const kind of ['parameters', 'headers'] as const) {
      for (const [name, item] of Object.entries(components[kind] as JsonObject)) {
        const { schema, example, examples } = item as JsonObject;
        const values = example !== undefined ? [example] : Object.values((examples ?? {}) as JsonObject).map((e) => deref(e).value as Json);
        expect(values.length, `${kind} ${name} has an example`).toBeGreaterThan(0);
        values.forEach((value, i) => check(`${kind} ${name} #${i}`, schema, value));
      }
    }
    for (const [name, schema] of Object.entries(components.schemas as JsonObject)) {
      for (const example of ((schema as JsonObject).examples as Json[] | undefined) ?? []) {
        check(`schemas ${name}`, { $ref: `#/components/schemas/${name}` }, example);
      }
    }
    expect(checked.length).toBeGreaterThan(15);
  });
});

type Json = JsonObject[string];
