/**
 * Contract checks against a real ECS (or Nova-compatible) endpoint, run by `npm run contract` when
 * ECS_ENDPOINT is set. Requests go straight to the endpoint; every exchange is judged against the
 * contract (ECS_CONTRACT_PROFILE: `huawei` by default, or `upstream-nova`) in this process.
 * Statuses and fault keys are compared, never message texts. Non-destructive unless
 * ECS_CONTRACT_SERVER_ID names a disposable server and ECS_CONTRACT_ALLOW_STOP=1.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEcsClient, EcsApiError, type EcsClientOptions } from '../../src/index.js';
import { contractFor } from '../support/contract.js';
import { checkingFetch, endpointSettings } from '../support/endpoint-check.js';

const settings = endpointSettings();
const contract = await contractFor(settings.profile);
let problems: string[] = [];

beforeEach(() => {
  problems = [];
});
afterEach(() => {
  expect(problems, 'contract problems in the exchanges of this test').toEqual([]);
});

function client(options: Partial<EcsClientOptions> = {}) {
  return createEcsClient({
    endpoint: settings.endpoint,
    projectId: settings.projectId,
    auth: settings.auth(),
    novaVersion: settings.apiVersion,
    retry: false,
    fetch: checkingFetch(contract, problems),
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

/** A raw stop request, signed or carrying a token like the client's, for what the client refuses to send. */
async function rawStop(body: string, headers: Record<string, string> = {}) {
  const ecs = client();
  const init = { params: { path: { project_id: settings.projectId, server_id: randomUUID() } }, body: body as never, bodySerializer: (b: unknown) => b as string, headers };
  const { response } =
    settings.apiVersion === 'v2'
      ? await ecs.raw.POST('/v2/{project_id}/servers/{server_id}/action', init)
      : await ecs.raw.POST('/v2.1/{project_id}/servers/{server_id}/action', init);
  return response;
}

describe(`the endpoint (${settings.apiVersion}, ${settings.authKind} auth, ${settings.profile} profile)`, () => {
  it('serves the version documents without credentials', async () => {
    const check = checkingFetch(contract, problems);
    const version = settings.apiVersion;
    for (const path of ['/', `/${version}`, `/${version}/`]) {
      const response = await check(new URL(path, settings.endpoint).href);
      expect(response.status, path).toBe(200);
    }
  });

  it('answers 404 in a documented error shape when the server does not exist', async () => {
    const error = await failure(client().stopServer(randomUUID()));
    expect(error.status).toBe(404);
    expect(['itemNotFound', 'ecs', 'gateway']).toContain(error.kind);
  });

  it.runIf(settings.authenticates)('answers 401 to bad credentials', async () => {
    const error = await failure(client({ auth: settings.auth({ wrongSecret: true }) }).stopServer(randomUUID()));
    expect(error.status).toBe(401);
  });

  it('refuses a body outside the contract, or is noted as lenient', async () => {
    // Huawei's contract refuses a lower-case type; a server may look the (unknown) server up
    // first and answer 404: that is noted in the summary, not a breach.
    const response = await rawStop('{"os-stop": {"type": "soft"}}');
    expect([400, 404]).toContain(response.status);
  });

  it.runIf(settings.apiVersion === 'v2.1')('answers 406 to a microversion out of range, 400 to a malformed one', async () => {
    const error = await failure(client({ microversion: '2.200' }).stopServer(randomUUID()));
    expect(error.status).toBe(406);
    const malformed = await rawStop('{"os-stop": null}', { 'X-OpenStack-Nova-API-Version': '2.x' });
    expect(malformed.status).toBe(400);
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
    const idempotent = await ecs.stopServer(settings.serverId!, { ifAlreadyStopped: 'ok' });
    expect(idempotent.alreadyStopped).toBe(true);
  }, 900_000);
});
