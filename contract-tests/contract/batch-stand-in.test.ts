/**
 * Huawei's native batch stop and its job, and the server list by name, through the client against
 * the stateful stand-in: batches of 2 and 1,000 servers to SHUTOFF, a job that fails for the
 * servers that cannot be stopped, a job that says SUCCESS before its servers are SHUTOFF, and
 * names found exactly (unique, shared, missing, with regular-expression characters). Every
 * exchange is judged by the contract, as the endpoint suite judges a real endpoint's.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { akskAuth, createEcsClient, EcsApiError, tokenAuth, type JobProgress } from '../../src/index.js';
import { checkExchange, wireExchange } from '../support/exchange-check.js';
import { contract, manyServerIds, validProjectId } from '../support/spec.js';
import { startStandIn, type RunningStandIn, type StandInOptions } from '../support/stand-in.js';

const credentials = { token: 'batch-token', ak: 'BATCHAKEXAMPLE', sk: 'batch-sk-secret' };
// Generous: nothing here is timed, a wait only has to end.
const wait = { intervalMs: 20, maxIntervalMs: 100, timeoutMs: 60_000 };

let standIn: RunningStandIn | undefined;
let problems: string[] = [];
beforeEach(() => {
  problems = [];
});
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
  expect(problems, 'contract problems in the exchanges of this test').toEqual([]);
});

async function start(options: Omit<StandInOptions, 'projectId'>) {
  standIn = await startStandIn({ projectId: validProjectId, ...credentials, stopDelayMs: 30, jobDelayMs: 50, ...options });
  return standIn;
}

/** `fetch` to the stand-in that judges every exchange by the contract. */
async function checkingFetch(request: Request): Promise<Response> {
  const sent = request.clone();
  const response = await fetch(request);
  problems.push(...checkExchange(contract, await wireExchange(sent, response)).problems);
  return response;
}

const client = (options: { auth?: 'token' | 'aksk'; novaVersion?: 'v2' | 'v2.1' } = {}) =>
  createEcsClient({
    endpoint: standIn!.url,
    projectId: validProjectId,
    auth: options.auth === 'aksk' ? akskAuth({ ak: credentials.ak, sk: credentials.sk }) : tokenAuth(credentials.token),
    novaVersion: options.novaVersion ?? 'v2.1',
    retry: false,
    fetch: checkingFetch,
  });

const ids = (count: number) => Array.from({ length: count }, () => randomUUID());

describe('stopServers with wait against the stand-in', () => {
  it.each([
    ['token', 'v2.1', undefined],
    ['aksk', 'v2', 'HARD'],
  ] as const)('stops two servers in one job to SHUTOFF (%s, %s, type %s)', async (auth, novaVersion, type) => {
    const servers = ids(2);
    await start({ servers });
    const progress: JobProgress[] = [];
    const result = await client({ auth, novaVersion }).stopServers(servers, { ...(type && { type }), wait: { ...wait, onProgress: (p) => progress.push(p) } });
    expect(result).toMatchObject({ status: 200, jobId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(result.job).toMatchObject({ jobId: result.jobId, status: 'SUCCESS', ok: true });
    expect(result.job!.servers.map((s) => [s.serverId, s.outcome, s.server?.status])).toEqual(servers.map((id) => [id, 'stopped', 'SHUTOFF']));
    for (const id of servers) expect(standIn!.servers.get(id)).toMatchObject({ status: 'SHUTOFF', vmState: 'stopped', taskState: null });
    // The stand-in's job runs for its first read at least: the wait followed it.
    expect(progress.filter((p) => p.phase === 'job').map((p) => p.status)).toEqual(expect.arrayContaining(['RUNNING', 'SUCCESS']));
    const job = await client({ auth, novaVersion }).getJob(result.jobId);
    expect(job).toMatchObject({ job_type: 'batchStopServer', status: 'SUCCESS', error_code: null, fail_reason: null, entities: { sub_jobs_total: 2 } });
    expect(job.entities?.sub_jobs?.map((sub) => [sub.job_type, sub.status, sub.entities?.server_id])).toEqual(servers.map((id) => ['stopServer', 'SUCCESS', id]));
  });

  it('stops 1,000 servers in one job, each to SHUTOFF', async () => {
    const servers = ids(1000);
    await start({ servers });
    const result = await client().stopServers(servers, { wait });
    expect(result.job).toMatchObject({ status: 'SUCCESS', ok: true });
    expect(result.job!.servers).toHaveLength(1000);
    expect(result.job!.servers.every((s) => s.outcome === 'stopped' && s.server?.status === 'SHUTOFF')).toBe(true);
    expect(result.job!.servers.map((s) => s.serverId)).toEqual(servers);
    expect([...standIn!.servers.values()].every((server) => server.status === 'SHUTOFF')).toBe(true);
    expect((await client().getJob(result.jobId)).entities?.sub_jobs_total).toBe(1000);
  }, 120_000);

  it('fails the sub-job of each server that cannot be stopped (SHUTOFF, locked, unknown), and stops the others', async () => {
    const [active, shutoff, locked, unknown] = ids(4) as [string, string, string, string];
    await start({ servers: [active, { id: shutoff, status: 'SHUTOFF' }, { id: locked, locked: true }] });
    const result = await client().stopServers([active, shutoff, locked, unknown], { wait });
    expect(result.job).toMatchObject({ status: 'FAIL', ok: false });
    const [first, ...failed] = result.job!.servers;
    expect(first).toMatchObject({ serverId: active, outcome: 'stopped', server: { status: 'SHUTOFF' } });
    expect(failed.map((s) => [s.serverId, s.outcome, s.reason, s.code])).toEqual([shutoff, locked, unknown].map((id) => [id, 'failed', 'job', 'Ecs.0100']));
    // The message is the sub-job's errorcode_message.
    const job = await client().getJob(result.jobId);
    expect(job).toMatchObject({ status: 'FAIL', error_code: 'Ecs.0100' });
    for (const outcome of failed) {
      const sub = job.entities!.sub_jobs!.find((s) => s.entities?.server_id === outcome.serverId)!;
      expect(sub).toMatchObject({ status: 'FAIL', error_code: 'Ecs.0100' });
      expect(outcome.message).toBe(sub.entities!.errorcode_message);
      expect(outcome.message).toMatch(/^Ecs\.0100: /);
    }
    expect(standIn!.servers.get(shutoff)?.status).toBe('SHUTOFF');
    expect(standIn!.servers.get(locked)?.status).toBe('ACTIVE');
  });

  it('reads each server after a job that says SUCCESS before its servers are SHUTOFF', async () => {
    const servers = ids(2);
    await start({ servers, jobSucceedsEarly: true, stopDelayMs: 200 });
    const result = await client().stopServers(servers, { wait });
    // The job ended with none of its servers SHUTOFF yet ...
    expect(standIn!.jobs.get(result.jobId)).toMatchObject({ shutoffAtEnd: 0 });
    // ... and the client still reports each SHUTOFF, read after the job's last read.
    expect(result.job).toMatchObject({ status: 'SUCCESS', ok: true });
    expect(result.job!.servers.map((s) => [s.outcome, s.server?.status])).toEqual([['stopped', 'SHUTOFF'], ['stopped', 'SHUTOFF']]);
    const lastJobRead = standIn!.log.findLastIndex((entry) => entry.path.includes('/jobs/'));
    for (const id of servers) {
      const reads = standIn!.log.flatMap((entry, index) => (entry.method === 'GET' && entry.path.endsWith(`/servers/${id}`) ? [index] : []));
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.every((index) => index > lastJobRead)).toBe(true);
    }
  });

  it('a job that ends as its servers do has them all SHUTOFF when it says SUCCESS', async () => {
    const servers = ids(2);
    await start({ servers, stopDelayMs: 200 });
    const result = await client().stopServers(servers, { wait });
    expect(standIn!.jobs.get(result.jobId)).toMatchObject({ shutoffAtEnd: 2 });
  });
});

describe('the stand-in refuses what ECS refuses', () => {
  async function rawBatch(body: string) {
    const { response, error } = await client().raw.POST('/v1/{project_id}/cloudservers/action', {
      params: { path: { project_id: validProjectId } },
      body: body as never,
      bodySerializer: (b: unknown) => b as string,
    });
    return { status: response.status, body: error as { error: { code: string; details?: { message: string }[] } } };
  }

  it.each([
    ['no servers', '{"os-stop": {"servers": []}}', 'os-stop.servers: must list 1 to 1000 servers (got 0)'],
    ['1,001 servers', JSON.stringify({ 'os-stop': { servers: manyServerIds(1001).map((id) => ({ id })) } }), 'os-stop.servers: must list 1 to 1000 servers (got 1001)'],
    ['a server twice', JSON.stringify({ 'os-stop': { servers: [{ id: manyServerIds(1)[0] }, { id: manyServerIds(1)[0] }] } }), 'os-stop.servers[1].id: listed twice'],
    ['an ID that is no UUID', '{"os-stop": {"servers": [{"id": "web-01"}]}}', 'os-stop.servers[0].id: must be a UUID'],
    ['a lower-case type', JSON.stringify({ 'os-stop': { type: 'soft', servers: [{ id: manyServerIds(1)[0] }] } }), "os-stop.type: must be 'SOFT' or 'HARD'"],
    ['no os-stop', '{}', 'os-stop: must be an object'],
  ])('%s: 400 Ecs.0005 naming the field', async (_, body, detail) => {
    await start({});
    const refused = await rawBatch(body);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('Ecs.0005');
    expect(refused.body.error.details?.[0]?.message).toBe(detail);
  });

  it('an unknown job: 404 Ecs.0000, through getJob', async () => {
    await start({});
    const error = await client().getJob(randomUUID().replace(/-/g, '')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toMatchObject({ status: 404, code: 'Ecs.0000' });
  });
});

describe('findServersByName against the stand-in', () => {
  const [unique, twinA, twinB, dotted, lookalike] = ids(5) as [string, string, string, string, string];
  const named = [
    { id: unique, name: 'web-01' },
    { id: twinA, name: 'twin' },
    { id: twinB, name: 'twin' },
    { id: dotted, name: 'web.01' },
    { id: lookalike, name: 'webx01' },
  ];

  it.each(['v2', 'v2.1'] as const)('finds a unique name, both of a shared one, none of a missing one (%s)', async (novaVersion) => {
    await start({ servers: named });
    const ecs = client({ novaVersion });
    expect((await ecs.findServersByName('web-01')).map((s) => s.id)).toEqual([unique]);
    expect((await ecs.findServersByName('twin')).map((s) => s.id).sort()).toEqual([twinA, twinB].sort());
    expect(await ecs.findServersByName('missing')).toEqual([]);
    // A prefix or a part of a name is no match.
    expect(await ecs.findServersByName('web')).toEqual([]);
    expect(await ecs.findServersByName('twi')).toEqual([]);
  });

  it('matches a name with regular-expression characters exactly (web.01 is not webx01)', async () => {
    await start({ servers: named });
    const ecs = client({ auth: 'aksk' });
    expect((await ecs.findServersByName('web.01')).map((s) => s.id)).toEqual([dotted]);
    expect((await ecs.findServersByName('webx01')).map((s) => s.id)).toEqual([lookalike]);
    // The stand-in, as Nova, takes `name` as a pattern: unescaped, `web.01` finds all three.
    expect((await ecs.listServers({ name: 'web.01' })).map((s) => s.id).sort()).toEqual([unique, dotted, lookalike].sort());
  });

  it('lists by a pattern matched anywhere and by status; an invalid pattern is 400 badRequest', async () => {
    const stopped = randomUUID();
    await start({ servers: [...named, { id: stopped, name: 'old-web', status: 'SHUTOFF' }] });
    const ecs = client();
    expect((await ecs.listServers({ name: 'web' })).map((s) => s.id).sort()).toEqual([unique, dotted, lookalike, stopped].sort());
    expect((await ecs.listServers({ status: 'SHUTOFF' })).map((s) => s.id)).toEqual([stopped]);
    expect((await ecs.listServers({ name: 'web', status: 'ACTIVE' })).map((s) => s.id).sort()).toEqual([unique, dotted, lookalike].sort());
    const error = await ecs.listServers({ name: '(' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toMatchObject({ status: 400, kind: 'badRequest' });
  });
});
