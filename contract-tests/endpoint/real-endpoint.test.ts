/**
 * Contract checks against a real ECS endpoint, run by `npm run contract` when ECS_ENDPOINT is set.
 * Every request goes through Prism's validating proxy (`prism proxy spec/openapi.yaml $ECS_ENDPOINT
 * --errors`); what Prism lets pass is checked here too. Non-destructive unless
 * ECS_CONTRACT_SERVER_ID names a disposable server and ECS_CONTRACT_ALLOW_STOP=1.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createEcsClient, EcsApiError, type EcsClientOptions } from '../../src/index.js';
import { checkingFetch, endpointSettings } from '../support/endpoint-check.js';

const settings = endpointSettings();
const proxyUrl = inject('targetUrl');
let problems: string[] = [];

beforeEach(() => {
  problems = [];
});
afterEach(() => {
  expect(problems, 'contract problems in the exchanges of this test').toEqual([]);
});

function client(options: Partial<EcsClientOptions> = {}) {
  return createEcsClient({
    endpoint: proxyUrl,
    projectId: settings.projectId,
    auth: settings.auth(),
    apiVersion: settings.apiVersion,
    retry: false,
    fetch: checkingFetch(problems),
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<EcsApiError> {
  const error = await promise.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EcsApiError);
  return error as EcsApiError;
}

describe(`the endpoint (${settings.apiVersion}, ${settings.authKind} auth)`, () => {
  it('answers 404 in a documented error shape when the server does not exist', async () => {
    const error = await failure(client().stopServer(randomUUID()));
    expect(error.status).toBe(404);
    expect(['itemNotFound', 'ecs', 'gateway']).toContain(error.kind);
  });

  it('answers 401 to bad credentials', async () => {
    const error = await failure(client({ auth: settings.auth({ wrongSecret: true }) }).stopServer(randomUUID()));
    expect(error.status).toBe(401);
  });

  it('answers 400 to a body the spec refuses', async () => {
    // Prism's strict proxy answers such a request itself; this one goes through the proxy without --errors.
    const ecs = client({ endpoint: inject('lenientProxyUrl') });
    const init = {
      params: { path: { project_id: settings.projectId, server_id: randomUUID() } },
      body: { 'os-stop': { type: 'soft' } } as never,
    };
    const { response } =
      settings.apiVersion === 'v2'
        ? await ecs.raw.POST('/v2/{project_id}/servers/{server_id}/action', init)
        : await ecs.raw.POST('/v2.1/{project_id}/servers/{server_id}/action', init);
    expect(response.status).toBe(400);
  });

  it('answers 406 on v2.1 to a microversion out of range', async () => {
    const error = await failure(client({ apiVersion: 'v2.1', microversion: '2.200' }).stopServer(randomUUID()));
    expect(error.status).toBe(406);
  });
});

describe.runIf(settings.serverId !== undefined && settings.allowStop)('stopping the disposable server', () => {
  it('is accepted with no body, reaches SHUTOFF, and a second stop conflicts (409)', async () => {
    const ecs = client();
    const before = await ecs.getServer(settings.serverId!);
    expect(before.status, 'the disposable server must be ACTIVE before the run').toBe('ACTIVE');
    const result = await ecs.stopServer(settings.serverId!, {
      type: 'SOFT',
      wait: { timeoutMs: Number(process.env.ECS_CONTRACT_WAIT_MS ?? 600_000), intervalMs: 200 },
    });
    expect([202, 204]).toContain(result.status);
    expect(result.server).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:vm_state': 'stopped' });
    const again = await failure(ecs.stopServer(settings.serverId!, { type: 'SOFT' }));
    expect(again.status).toBe(409);
  }, 900_000);
});
