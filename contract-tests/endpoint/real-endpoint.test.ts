/**
 * Contract checks against a real ECS (or Nova-compatible) endpoint, run by `npm run contract` when
 * ECS_ENDPOINT is set. Requests go straight to the endpoint; every exchange is judged against the
 * contract (ECS_CONTRACT_PROFILE: `huawei` by default, or `upstream-nova`) in this process.
 * Statuses and fault keys are compared, never message texts. Non-destructive unless
 * ECS_CONTRACT_SERVER_ID names disposable servers and ECS_CONTRACT_ALLOW_STOP=1: the first is
 * stopped through Nova's os-stop, the last two in one job of Huawei's native batch stop (with two
 * IDs, both go to the batch). ECS_CONTRACT_NATIVE_API=0 says the endpoint does not serve the
 * native `/v1` API (a plain Nova): those checks are skipped with that reason, never passed.
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

const noNativeApi = "ECS_CONTRACT_NATIVE_API=0: the endpoint does not serve Huawei's native /v1 API";
const hintNoNativeApi = "if this endpoint does not serve Huawei's native /v1 API (a plain Nova answers 300), set ECS_CONTRACT_NATIVE_API=0";

/**
 * Skips the running test when `condition` holds, and says why in the run's output (the summary
 * counts it as skipped, never as passed).
 */
function skipIf(skip: (note: string) => never, condition: boolean, reason: string): void {
  if (!condition) return;
  console.warn(`skipped: ${reason}`);
  skip(reason);
}

/** A job ID no job has (32 hexadecimal characters). */
const randomJobId = () => randomUUID().replace(/-/g, '');

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
    const wrong = client({ auth: settings.auth({ wrongSecret: true }) });
    const error = await failure(wrong.stopServer(randomUUID()));
    expect(error.status).toBe(401);
    if (settings.nativeApi) expect((await failure(wrong.getJob(randomJobId()))).status, 'on the native API').toBe(401);
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

  it('finds servers by exact name: none for a name no server has, each disposable server by its own', async () => {
    const ecs = client();
    expect(await ecs.findServersByName(`contract-check-${randomUUID()}`)).toEqual([]);
    for (const serverId of settings.serverIds) {
      const { name } = await ecs.getServer(serverId);
      if (typeof name !== 'string' || name === '') expect.fail(`server ${serverId} has no name to find it by`);
      const found = await ecs.findServersByName(name);
      expect(found.map((server) => server.id)).toContain(serverId);
      expect(found.every((server) => server.name === name)).toBe(true);
    }
  });
});

describe("Huawei's native API (/v1)", () => {
  it('answers 404 in a documented error shape when the job does not exist', async ({ skip }) => {
    skipIf(skip, !settings.nativeApi, noNativeApi);
    const error = await failure(client().getJob(randomJobId()));
    expect(error.status, hintNoNativeApi).toBe(404);
  });

  it('refuses a batch stop of no servers (a body outside the contract)', async ({ skip }) => {
    skipIf(skip, !settings.nativeApi, noNativeApi);
    // Nothing is stopped; the client refuses to send it, so it goes raw.
    const { response } = await client().raw.POST('/v1/{project_id}/cloudservers/action', {
      params: { path: { project_id: settings.projectId } },
      body: '{"os-stop": {"servers": []}}' as never,
      bodySerializer: (b: unknown) => b as string,
      parseAs: 'text',
    });
    expect(response.status, hintNoNativeApi).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe.runIf(settings.serverIds.length > 0 && settings.allowStop)('stopping the disposable servers', () => {
  const wait = { timeoutMs: Number(process.env.ECS_CONTRACT_WAIT_MS ?? 600_000), intervalMs: 200 };

  it("through Nova's os-stop: accepted with no body, reaches SHUTOFF, and a second stop conflicts (409)", async ({ skip }) => {
    skipIf(skip, settings.novaStopServerId === undefined, 'both servers of ECS_CONTRACT_SERVER_ID go to the batch stop: list three for this one too');
    const serverId = settings.novaStopServerId!;
    const ecs = client();
    const before = await ecs.getServer(serverId);
    expect(before.status, 'the disposable server must be ACTIVE before the run').toBe('ACTIVE');
    const result = await ecs.stopServer(serverId, { type: 'SOFT', wait });
    expect([202, 204]).toContain(result.status);
    expect(result.server).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:vm_state': 'stopped' });
    const again = await failure(ecs.stopServer(serverId, { type: 'SOFT' }));
    expect(again.status).toBe(409);
    const idempotent = await ecs.stopServer(serverId, { ifAlreadyStopped: 'ok' });
    expect(idempotent.alreadyStopped).toBe(true);
  }, 900_000);

  it('two in one native batch job: each stopped and SHUTOFF', async ({ skip }) => {
    skipIf(skip, !settings.nativeApi, noNativeApi);
    skipIf(skip, settings.batchServerIds === undefined, 'ECS_CONTRACT_SERVER_ID lists one server: the batch stop needs two more');
    const serverIds = settings.batchServerIds!;
    const ecs = client();
    for (const serverId of serverIds) expect((await ecs.getServer(serverId)).status, 'each disposable server must be ACTIVE before the run').toBe('ACTIVE');
    const result = await ecs.stopServers(serverIds, { type: 'SOFT', wait });
    expect([200, 202]).toContain(result.status);
    expect(result.job?.status).toBe('SUCCESS');
    expect(result.job?.servers.map((s) => [s.serverId, s.outcome, s.server?.status])).toEqual(serverIds.map((id) => [id, 'stopped', 'SHUTOFF']));
    for (const serverId of serverIds) expect((await ecs.getServer(serverId)).status).toBe('SHUTOFF');
    const job = await ecs.getJob(result.jobId);
    expect(job.status).toBe('SUCCESS');
    expect(job.entities?.sub_jobs?.map((sub) => sub.entities?.server_id).sort()).toEqual([...serverIds].sort());
  }, 900_000);
});
