/**
 * The upstream-Nova profile: Huawei's document with spec/overlays/upstream-nova.yaml applied. Every
 * overlay action must apply, and the result must be a valid document whose examples still match.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { applyOverlay, contractFor, profileDocument, readSpec } from '../support/contract.js';
import { acceptedStopBodies, refusedStopBodies } from '../support/spec.js';

const nova = await contractFor('upstream-nova');

describe('the upstream-nova profile', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(await profileDocument('upstream-nova'));
    expect(result.errors).toBeUndefined();
  });

  it.each(nova.responseExamples.map((e) => [`${e.operationId} ${e.status} ${e.name}`, e] as const))('example %s matches its schema', (_, example) => {
    expect(nova.validator(example.schema)(example.value)).toBe(true);
  });

  it("accepts any value under os-stop, as Zed does, but still only os-stop", () => {
    const body = nova.componentValidator('StopServerRequest');
    for (const accepted of [...Object.values(acceptedStopBodies), '{"os-stop": {"type": "soft"}}', '{"os-stop": "yes"}', '{"os-stop": [1]}']) {
      expect(body(JSON.parse(accepted)), accepted).toBe(true);
    }
    for (const refused of [refusedStopBodies['missing os-stop']!, refusedStopBodies['another top-level key']!, refusedStopBodies['body is an array']!]) {
      expect(body(JSON.parse(refused)), refused).toBe(false);
    }
  });

  it('answers a stop with 202 only, and authenticates with a token only', () => {
    for (const id of ['stopServerV2', 'stopServerV21']) {
      const statuses = Object.keys(nova.operation(id).operation.responses as object);
      expect(statuses).toContain('202');
      expect(statuses).not.toContain('204');
    }
    expect(nova.document.security).toEqual([{ iamToken: [] }]);
  });

  it('applies every overlay action, and an action that matches nothing fails the load', async () => {
    await expect(profileDocument('upstream-nova')).resolves.toHaveProperty('info.x-profile', 'upstream-nova');
    const stale = { overlay: '1.0.0', info: { title: 't', version: '1' }, actions: [{ target: '$.components.schemas.Gone', remove: true }] };
    await expect(applyOverlay(readSpec(), stale)).rejects.toThrow(/matched nothing.*Gone/);
  });
});
