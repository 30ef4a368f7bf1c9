import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { createEcsClient, tokenAuth } from '../../src/index.js';
import { recordingFetch } from '../support/exchanges.js';
import { componentValidator, deref, operation, validator, validProjectId, type JsonObject } from '../support/spec.js';

const mockUrl = inject('targetUrl');
const seed = Number(process.env.FC_SEED ?? 20261126);
const bodyRuns = Number(process.env.FC_RUNS ?? 500);
// Hundreds of requests through Prism: a budget no slow machine reaches (typically 2-5 s).
const budget = { timeout: 120_000 };
console.log(`fast-check seed: ${seed} (set FC_SEED to replay, FC_RUNS to change the ${bodyRuns} runs)`);

const stopRequest = componentValidator('StopServerRequest');

// Bodies near the accepted shapes, so that both sides of the schema get plenty of cases.
const stopValue = fc.oneof(
  fc.constantFrom<unknown>(null, {}, { type: 'SOFT' }, { type: 'HARD' }),
  fc.record({ type: fc.oneof(fc.constantFrom('soft', 'Hard', 'SOFT ', '', 'FORCE'), fc.string(), fc.integer(), fc.constant(null)) }),
  fc.dictionary(fc.oneof(fc.constant('type'), fc.string({ maxLength: 8 })), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const body = fc.oneof(
  { weight: 3, arbitrary: stopValue.map((value) => ({ 'os-stop': value })) },
  { weight: 1, arbitrary: fc.tuple(stopValue, fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })).map(([value, key, other]) => ({ 'os-stop': value, [key]: other })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const version = fc.constantFrom('v2', 'v2.1');
const uuid = fc.uuid({ version: 4 });

describe('property: the mock agrees with the body schema', () => {
  it(`every accepted body gets 202 and every refused body 400 (${bodyRuns} runs)`, budget, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(version, uuid, body, async (apiVersion, serverId, payload) => {
        const response = await recordingFetch(`${mockUrl}/${apiVersion}/${validProjectId}/servers/${serverId}/action`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Auth-Token': 'property-token' },
          body: JSON.stringify(payload),
        });
        const text = await response.text();
        if (stopRequest(payload)) {
          accepted++;
          expect(response.status).toBe(202);
          expect(text).toBe('');
        } else {
          expect(response.status).toBe(400);
          expect(JSON.parse(text)).toHaveProperty('badRequest');
        }
      }),
      { seed, numRuns: bodyRuns },
    );
    // Both sides of the schema were exercised.
    expect(accepted).toBeGreaterThan(bodyRuns / 20);
    expect(accepted).toBeLessThan(bodyRuns);
  });
});

describe('property: every request the client builds is valid for the spec', () => {
  const requestParameters = (operationId: string) =>
    new Map(
      (operation(operationId).operation.parameters as JsonObject[])
        .map((p) => deref(p))
        .map((p) => [String(p.name).toLowerCase(), p.schema as JsonObject] as const),
    );

  it('for random versions, types, microversions, request ids and server ids (300 runs)', budget, async () => {
    const microversion = fc.oneof(fc.constant('latest'), fc.integer({ min: 1, max: 60 }).map((minor) => `2.${minor}`));
    const input = fc.record(
      {
        novaVersion: version,
        serverId: uuid,
        type: fc.constantFrom('SOFT', 'HARD'),
        microversion,
        requestId: uuid.map((id) => `req-${id}`),
      },
      { requiredKeys: ['novaVersion', 'serverId'] },
    );
    await fc.assert(
      fc.asyncProperty(input, async ({ novaVersion, serverId, type, microversion: mv, requestId }) => {
        let sent: Request | undefined;
        const ecs = createEcsClient({
          endpoint: mockUrl,
          projectId: validProjectId,
          auth: tokenAuth('property-token'),
          novaVersion,
          retry: false,
          ...(mv !== undefined && novaVersion === 'v2.1' && { microversion: mv }),
          fetch: (request) => {
            sent = request.clone();
            return recordingFetch(request);
          },
        });
        const result = await ecs.stopServer(serverId, { ...(type && { type }), ...(requestId && { requestId }) });
        expect(result.status).toBe(202);

        const url = new URL(sent!.url);
        expect(url.pathname).toBe(`/${novaVersion}/${validProjectId}/servers/${serverId}/action`);
        expect(stopRequest(JSON.parse(await sent!.text()))).toBe(true);
        const declared = requestParameters(novaVersion === 'v2' ? 'stopServerV2' : 'stopServerV21');
        for (const [name, value] of sent!.headers) {
          const schema = declared.get(name);
          if (schema) expect(validator(schema)(value), `${name}: ${value}`).toBe(true);
        }
        if (novaVersion === 'v2') expect(sent!.headers.has('x-openstack-nova-api-version')).toBe(false);
      }),
      { seed, numRuns: 300 },
    );
  });
});
