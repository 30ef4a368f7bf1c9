/**
 * Huawei's native batch stop through the client, with an injected `fetch` (no network): the server
 * list checked before anything is sent, the body sent, the job answer (200 or 202) and the errors;
 * reading a job; following it to one outcome per server (the job first, then each server until
 * SHUTOFF, since a job has said SUCCESS while its servers were still stopping); finding servers by
 * exact name. Waits run on a fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EcsApiError, EcsInputError, EcsJobWaitError, type JobProgress } from '../../src/index.js';
import { maxBatchServers } from '../../src/validate.js';
import { apiError, deferred, ENDPOINT, expectSettlesAt, FAKE_CLOCK, fakeFetch, json, makeClient, PROJECT, rejection, SERVER, settled } from '../support/fixtures.js';
import { componentValidator, manyServerIds } from '../support/spec.js';

beforeEach(() => void vi.useFakeTimers(FAKE_CLOCK));
afterEach(() => void vi.useRealTimers());

const JOB = 'ff808082889bd9690189061140c235fe';
const A = SERVER;
const B = '9b1f5d2e-6c3a-4e8b-8f0d-2a7c5e1b3d94';
const C = '0c6b2a8e-1f3d-4b5a-9e7c-d2f4a6b8c0e1';
const REQ = '0f4e6fc6a1a9e0c0b1f2b3a4d5e6f708';
const batchUrl = `${ENDPOINT}/v1/${PROJECT}/cloudservers/action`;
const jobPath = `/v1/${PROJECT}/jobs/${JOB}`;
const serverPath = (id: string) => `/v2.1/${PROJECT}/servers/${id}`;

type Status = 'SUCCESS' | 'RUNNING' | 'FAIL' | 'INIT';
interface Failure {
  code: string;
  reason: string;
}

/** One server's sub-job; a failed one carries ECS's code, its reason and `errorcode_message` (code and reason in one). */
const subJob = (serverId: string, status: Status, failure?: Failure) => ({
  status,
  job_id: `ff80808288${serverId.replace(/-/g, '').slice(0, 22)}`,
  job_type: 'stopServer',
  begin_time: '2026-11-26T03:20:41.790Z',
  end_time: status === 'SUCCESS' || status === 'FAIL' ? '2026-11-26T03:21:01.951Z' : '',
  error_code: failure?.code ?? null,
  fail_reason: failure?.reason ?? null,
  entities: { server_id: serverId, ...(failure && { errorcode_message: `${failure.code}: ${failure.reason}` }) },
});

const job = (status: Status, subJobs: ReturnType<typeof subJob>[] | undefined, failure?: Failure) => ({
  job_id: JOB,
  job_type: 'batchStopServer',
  status,
  begin_time: '2026-11-26T03:20:41.318Z',
  end_time: status === 'SUCCESS' || status === 'FAIL' ? '2026-11-26T03:21:12.540Z' : '',
  error_code: failure?.code ?? null,
  fail_reason: failure?.reason ?? null,
  entities: subJobs === undefined ? {} : { sub_jobs_total: subJobs.length, sub_jobs: subJobs },
});

const notMeetingRequirements: Failure = { code: 'Ecs.0100', reason: 'The ECS status does not meet requirements.' };

/** A server read's body; anything but SHUTOFF is still powering off. */
const server = (id: string, status: string) => ({
  server: {
    id,
    name: `vm-${id.slice(0, 4)}`,
    status,
    'OS-EXT-STS:vm_state': status === 'SHUTOFF' ? 'stopped' : status === 'ERROR' ? 'error' : 'active',
    'OS-EXT-STS:task_state': status === 'ACTIVE' ? 'powering-off' : null,
    links: [],
  },
});

const jobNotFound = { error: { code: 'Ecs.0000', message: 'The job does not exist.' } };

/**
 * A fake ECS: the batch stop answers `stop` (by default 200 with the job); each job read answers
 * the next of `jobs` (a number: that status with ECS's unknown-job body), the last one again and
 * again; each server read the next of that server's `servers` statuses, likewise.
 */
function fakeEcs({ jobs = [], servers = {}, stop }: { jobs?: (object | number)[]; servers?: Record<string, (string | number)[]>; stop?: () => Response }) {
  const next = <T>(queue: T[]): T => (queue.length > 1 ? queue.shift()! : queue[0]!);
  const f = fakeFetch((request) => {
    const { pathname } = new URL(request.url);
    if (request.method === 'POST') return stop?.() ?? json(200, { job_id: JOB }, { 'X-Request-Id': REQ });
    if (pathname.startsWith(`/v1/${PROJECT}/jobs/`)) {
      const answer = next(jobs);
      return typeof answer === 'number' ? json(answer, jobNotFound) : json(200, answer, { 'X-Request-Id': REQ });
    }
    const id = pathname.split('/').pop()!;
    const answer = next(servers[id] ?? []);
    if (answer === undefined) throw new Error(`unexpected read of ${pathname}`);
    return typeof answer === 'number'
      ? json(answer, { itemNotFound: { code: answer, message: `Instance ${id} could not be found.` } })
      : json(200, server(id, answer));
  });
  return {
    ...f,
    /** `METHOD path` of each request so far. */
    calls: () => f.requests.map((request) => `${request.method} ${new URL(request.url).pathname}`),
  };
}

/** Lets the fake clock run until `promise` settles: every pause of a wait passes at once. */
async function finish<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  for (let step = 0; step < 600 && !(await settled(promise)); step++) await vi.advanceTimersByTimeAsync(1_000);
  return promise;
}

/** The EcsInputError a call gives, and that nothing was sent. */
async function refused(f: { requests: Request[] }, call: Promise<unknown>): Promise<EcsInputError> {
  const error = await rejection(call);
  expect(error).toBeInstanceOf(EcsInputError);
  expect(f.requests).toHaveLength(0);
  return error as EcsInputError;
}

describe('stopServers: the server list and options are checked before any request', () => {
  it.each([
    ['an empty list', 'serverIds', [], /^serverIds must not be empty$/],
    ['one ID as a string, not a list', 'serverIds', A, /must be an array/],
    ['an array-like object', 'serverIds', { 0: A, length: 1 }, /must be an array/],
    ['null', 'serverIds', null, /must be an array/],
    ['1,001 IDs', 'serverIds', manyServerIds(1001), /at most 1000 servers \(got 1001\).*successive batches/],
    ['the same ID twice', 'serverIds[2]', [A, B, A], /^serverIds\[2\] repeats serverIds\[0\]/],
    ['the same ID twice, once in capitals', 'serverIds[2]', [A, B, A.toUpperCase()], /^serverIds\[2\] repeats serverIds\[0\]/],
    ['an invalid ID at index 2', 'serverIds[2]', [A, B, 'not-a-uuid'], /^serverIds\[2\] must be a UUID/],
    ['an empty ID at index 1', 'serverIds[1]', [A, ''], /^serverIds\[1\] must not be empty/],
    ['a path at index 1', 'serverIds[1]', [A, `${B}/../x`], /^serverIds\[1\] must not contain '\/'/],
    ['an object at index 0', 'serverIds[0]', [{ id: A }], /^serverIds\[0\] must be a string/],
  ] as const)('%s is refused, naming %s', async (_, field, serverIds, message) => {
    const f = fakeEcs({});
    const error = await refused(f, makeClient(f.fetch).stopServers(serverIds as never));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('the invalid ID itself is not quoted (it may hold anything)', async () => {
    const f = fakeEcs({});
    const error = await refused(f, makeClient(f.fetch).stopServers([A, 'S3CRET-LOOKING-VALUE']));
    expect(error.message).not.toContain('S3CRET');
  });

  it.each([
    ['type lowercase', 'type', { type: 'soft' }],
    ['type unknown', 'type', { type: 'FORCE-OFF' }],
    ['type null', 'type', { type: null }],
    ['wait a string', 'wait', { wait: 'yes' }],
    ['wait.timeoutMs 0', 'wait.timeoutMs', { wait: { timeoutMs: 0 } }],
    ['wait.intervalMs negative', 'wait.intervalMs', { wait: { intervalMs: -1 } }],
    ['wait.maxIntervalMs fractional', 'wait.maxIntervalMs', { wait: { maxIntervalMs: 1.5 } }],
    ['wait.onProgress not a function', 'wait.onProgress', { wait: { onProgress: 'log' } }],
    ['signal not an AbortSignal', 'signal', { signal: {} }],
  ] as const)('%s is refused, naming %s', async (_, field, options) => {
    const f = fakeEcs({});
    const error = await refused(f, makeClient(f.fetch).stopServers([A], options as never));
    expect(error.field).toBe(field);
  });

  it(`takes exactly ${maxBatchServers} servers, in one request`, async () => {
    const f = fakeEcs({});
    await makeClient(f.fetch).stopServers(manyServerIds(maxBatchServers));
    expect(f.requests).toHaveLength(1);
    expect((JSON.parse(f.bodies[0]!) as { 'os-stop': { servers: unknown[] } })['os-stop'].servers).toHaveLength(1000);
  });
});

describe('stopServers: the request', () => {
  const validBody = componentValidator('BatchStopServersRequest');

  it('POSTs the servers in the order given, with no type unless one is given', async () => {
    const f = fakeEcs({});
    await makeClient(f.fetch).stopServers([C, A, B]);
    expect(f.requests[0]!.method).toBe('POST');
    expect(f.requests[0]!.url).toBe(batchUrl);
    expect(f.bodies[0]).toBe(`{"os-stop":{"servers":[{"id":"${C}"},{"id":"${A}"},{"id":"${B}"}]}}`);
  });

  it.each(['SOFT', 'HARD'] as const)('sends type %s when given', async (type) => {
    const f = fakeEcs({});
    await makeClient(f.fetch).stopServers([A, B], { type });
    expect(f.bodies[0]).toBe(`{"os-stop":{"type":"${type}","servers":[{"id":"${A}"},{"id":"${B}"}]}}`);
  });

  it('sends JSON with the project and the token; every body is a valid BatchStopServersRequest of the spec', async () => {
    const f = fakeEcs({});
    const client = makeClient(f.fetch);
    for (const type of [undefined, 'SOFT', 'HARD'] as const) {
      for (const ids of [[A], [A, B, C], manyServerIds(1000)]) await client.stopServers(ids, type === undefined ? {} : { type });
    }
    expect(f.bodies).toHaveLength(9);
    for (const body of f.bodies) expect(validBody(JSON.parse(body)), JSON.stringify(validBody.errors)).toBe(true);
    const headers = f.requests[0]!.headers;
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(headers.get('x-project-id')).toBe(PROJECT);
    expect(headers.get('x-auth-token')).toBe('tok-abc');
  });
});

describe('stopServers: the answer', () => {
  it.each([200, 202] as const)('%i with a job_id resolves with the job, the status and the request ID', async (status) => {
    const f = fakeEcs({ stop: () => json(status, { job_id: JOB }, { 'X-Request-Id': REQ }) });
    await expect(makeClient(f.fetch).stopServers([A])).resolves.toEqual({ jobId: JOB, status, requestId: REQ });
    expect(f.requests).toHaveLength(1);
  });

  it.each([
    ['an empty object', '{}'],
    ['an empty job_id', '{"job_id": ""}'],
    ['a numeric job_id', '{"job_id": 42}'],
    ['a job_id that is not 32 hexadecimal characters', '{"job_id": "4d8c3732-a248-40ed-bebc-539a6ffd25c0"}'],
    ['null', 'null'],
    ['no body', ''],
    ['HTML', '<html>ok</html>'],
  ])('200 with %s is a typed error, not a job', async (_, body) => {
    const f = fakeEcs({ stop: () => new Response(body, { status: 200, headers: { 'Content-Type': 'application/json', 'X-Request-Id': REQ } }) });
    const error = await apiError(makeClient(f.fetch).stopServers([A]));
    expect(error).toMatchObject({ status: 200, kind: 'http', requestId: REQ, message: 'The batch stop answered 200 without a job_id' });
  });

  it('a 200 without a job is not followed, even with wait', async () => {
    const f = fakeEcs({ stop: () => json(200, {}), jobs: [job('SUCCESS', [])] });
    await apiError(makeClient(f.fetch).stopServers([A], { wait: true }));
    expect(f.calls()).toEqual([`POST /v1/${PROJECT}/cloudservers/action`]);
  });

  it.each([
    [400, 'Ecs.0005', 'Invalid parameter.', [{ code: 'Ecs.0005', message: 'os-stop.servers[0].id: must be a UUID' }, { code: 'Ecs.0005', message: 'os-stop.type: must be SOFT or HARD' }], 'Invalid parameter. (os-stop.servers[0].id: must be a UUID; os-stop.type: must be SOFT or HARD)'],
    [400, 'Ecs.0005', 'Invalid parameter.', [{ code: 'Ecs.0005' }, 'not a detail'], 'Invalid parameter.'],
    [400, 'Ecs.0000', 'Request error. Try again later or contact customer service.', undefined, undefined],
    [403, 'Ecs.0003', 'You do not have permission to perform this operation, or your account has been frozen.', undefined, undefined],
    [500, 'Ecs.0001', 'System error. Try again later or contact customer service.', undefined, undefined],
  ])('%i %s (ECS error body) is an EcsApiError with its code and message (and the fields its details name), and no job is followed', async (status, code, message, details, shown) => {
    const f = fakeEcs({ stop: () => json(status, { error: { code, message, ...(details && { details }) } }, { 'X-Request-Id': REQ }) });
    const error = await apiError(makeClient(f.fetch).stopServers([A, B], { wait: true }));
    expect(error).toMatchObject({ status, kind: 'ecs', code, message: shown ?? message, requestId: REQ });
    expect(error.request).toEqual({ method: 'POST', url: batchUrl });
    expect(f.requests).toHaveLength(1);
  });
});

describe('getJob', () => {
  it('reads GET /v1/{project}/jobs/{job} and returns the job as ECS sent it', async () => {
    const sent = job('FAIL', [subJob(A, 'SUCCESS'), subJob(B, 'FAIL', notMeetingRequirements)], notMeetingRequirements);
    const f = fakeEcs({ jobs: [sent] });
    await expect(makeClient(f.fetch).getJob(JOB)).resolves.toEqual(sent);
    expect(f.calls()).toEqual([`GET ${jobPath}`]);
    expect(componentValidator('Job')(sent)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['..', '..'],
    ['a path', `${JOB}/../x`],
    ['a query', `${JOB}?x=1`],
    ['31 characters', JOB.slice(1)],
    ['33 characters', `${JOB}0`],
    ['a server UUID', A],
    ['not hexadecimal', `g${JOB.slice(1)}`],
    ['with a newline', `${JOB}\n`],
    ['a number', 42],
    ['undefined', undefined],
  ])('refuses a job ID that is %s before any request', async (_, jobId) => {
    const f = fakeEcs({ jobs: [job('SUCCESS', [])] });
    const error = await refused(f, makeClient(f.fetch).getJob(jobId as string));
    expect(error.field).toBe('jobId');
  });

  it('a 404 is an EcsApiError with the status and ECS code', async () => {
    const f = fakeEcs({ jobs: [404] });
    const error = await apiError(makeClient(f.fetch).getJob(JOB));
    expect(error).toMatchObject({ status: 404, kind: 'ecs', code: 'Ecs.0000', message: 'The job does not exist.' });
  });

  it.each([
    ['no status', { job_id: JOB }],
    ['no job_id', { status: 'SUCCESS' }],
    ['a list', [job('SUCCESS', [])]],
  ])('a 200 with %s is a typed error, not a job', async (_, body) => {
    const f = fakeEcs({ jobs: [body] });
    const error = await apiError(makeClient(f.fetch).getJob(JOB));
    expect(error).toMatchObject({ status: 200, kind: 'http', message: 'The job read answered 200 without a job object' });
  });
});

describe('waitForJob and stopServers({ wait })', () => {
  it('follows the job from RUNNING to SUCCESS, then reads each server until SHUTOFF (SUCCESS came while one was still stopping)', async () => {
    const f = fakeEcs({
      jobs: [
        job('RUNNING', [subJob(A, 'RUNNING'), subJob(B, 'RUNNING')]),
        job('RUNNING', [subJob(A, 'RUNNING'), subJob(B, 'SUCCESS')]),
        job('SUCCESS', [subJob(A, 'SUCCESS'), subJob(B, 'SUCCESS')]),
      ],
      servers: { [A]: ['ACTIVE', 'ACTIVE', 'SHUTOFF'], [B]: ['SHUTOFF'] },
    });
    const result = await finish(makeClient(f.fetch).stopServers([A, B], { wait: true }));
    expect(result).toMatchObject({ jobId: JOB, status: 200, requestId: REQ });
    expect(result.job).toEqual({
      jobId: JOB,
      status: 'SUCCESS',
      ok: true,
      servers: [
        { serverId: A, outcome: 'stopped', server: expect.objectContaining({ id: A, status: 'SHUTOFF' }) },
        { serverId: B, outcome: 'stopped', server: expect.objectContaining({ id: B, status: 'SHUTOFF' }) },
      ],
    });
    const calls = f.calls();
    // The stop, the job until it ended, and only then the servers: A until SHUTOFF.
    expect(calls.slice(0, 4)).toEqual([`POST /v1/${PROJECT}/cloudservers/action`, `GET ${jobPath}`, `GET ${jobPath}`, `GET ${jobPath}`]);
    expect(calls.slice(4).sort()).toEqual([`GET ${serverPath(A)}`, `GET ${serverPath(A)}`, `GET ${serverPath(A)}`, `GET ${serverPath(B)}`].sort());
  });

  it("a job that failed for one server: that server failed with the sub-job's errorcode_message and code, unread; the other stopped", async () => {
    const f = fakeEcs({
      jobs: [job('FAIL', [subJob(A, 'SUCCESS'), subJob(B, 'FAIL', notMeetingRequirements)], notMeetingRequirements)],
      servers: { [A]: ['SHUTOFF'] },
    });
    const result = await finish(makeClient(f.fetch).waitForJob(JOB));
    expect(result).toEqual({
      jobId: JOB,
      status: 'FAIL',
      ok: false,
      servers: [
        { serverId: A, outcome: 'stopped', server: expect.objectContaining({ status: 'SHUTOFF' }) },
        { serverId: B, outcome: 'failed', reason: 'job', message: 'Ecs.0100: The ECS status does not meet requirements.', code: 'Ecs.0100' },
      ],
    });
    expect(f.calls()).not.toContain(`GET ${serverPath(B)}`);
  });

  it('a server that goes to ERROR failed (error-state) while the other stopped', async () => {
    const f = fakeEcs({
      jobs: [job('SUCCESS', [subJob(A, 'SUCCESS'), subJob(B, 'SUCCESS')])],
      servers: { [A]: ['ACTIVE', 'ERROR'], [B]: ['ACTIVE', 'SHUTOFF'] },
    });
    const result = await finish(makeClient(f.fetch).waitForJob(JOB));
    expect(result).toMatchObject({ status: 'SUCCESS', ok: false });
    expect(result.servers).toEqual([
      { serverId: A, outcome: 'failed', reason: 'error-state', message: `Server ${A} went to ERROR while stopping`, server: expect.objectContaining({ status: 'ERROR' }) },
      { serverId: B, outcome: 'stopped', server: expect.objectContaining({ status: 'SHUTOFF' }) },
    ]);
  });

  it('a server that disappears while being confirmed failed (not-found); the others are still confirmed', async () => {
    const f = fakeEcs({
      jobs: [job('SUCCESS', [subJob(A, 'SUCCESS'), subJob(B, 'SUCCESS')])],
      servers: { [A]: ['ACTIVE', 404], [B]: ['SHUTOFF'] },
    });
    const result = await finish(makeClient(f.fetch).waitForJob(JOB));
    expect(result.servers.map((s) => [s.serverId, s.outcome, s.reason])).toEqual([
      [A, 'failed', 'not-found'],
      [B, 'stopped', undefined],
    ]);
    expect(result.ok).toBe(false);
  });

  it('a job that lists no sub-jobs: the servers asked for are confirmed on SUCCESS, and failed with the job\'s reason on FAIL', async () => {
    const succeeded = fakeEcs({ jobs: [job('SUCCESS', undefined)], servers: { [A]: ['SHUTOFF'], [B]: ['SHUTOFF'] } });
    const ok = await finish(makeClient(succeeded.fetch).stopServers([A, B], { wait: true }));
    expect(ok.job!.servers.map((s) => [s.serverId, s.outcome])).toEqual([
      [A, 'stopped'],
      [B, 'stopped'],
    ]);
    const failed = fakeEcs({ jobs: [job('FAIL', undefined, notMeetingRequirements)] });
    const ko = await finish(makeClient(failed.fetch).stopServers([A, B], { wait: true }));
    expect(ko.job).toEqual({
      jobId: JOB,
      status: 'FAIL',
      ok: false,
      servers: [A, B].map((serverId) => ({ serverId, outcome: 'failed', reason: 'job', message: notMeetingRequirements.reason, code: 'Ecs.0100' })),
    });
    expect(failed.calls().filter((c) => c.includes('/servers/'))).toEqual([]);
  });

  it('a job whose sub-jobs leave out a server asked for: that server still has an outcome, and ok counts it', async () => {
    const f = fakeEcs({ jobs: [job('SUCCESS', [subJob(A, 'SUCCESS')])], servers: { [A]: ['SHUTOFF'], [B]: ['SHUTOFF'] } });
    const { job: result } = await finish(makeClient(f.fetch).stopServers([A, B], { wait: true }));
    expect(result!.servers.map((s) => s.serverId)).toEqual([A, B]);
    expect(result!.ok).toBe(result!.servers.every((s) => s.outcome === 'stopped'));
  });

  it('reports progress after each read: the job phase, then the server phase', async () => {
    const f = fakeEcs({
      jobs: [job('INIT', undefined), job('RUNNING', [subJob(A, 'RUNNING')]), job('SUCCESS', [subJob(A, 'SUCCESS')])],
      servers: { [A]: ['ACTIVE', 'SHUTOFF'] },
    });
    const seen: JobProgress[] = [];
    await finish(makeClient(f.fetch).waitForJob(JOB, { onProgress: (p) => seen.push(p) }));
    expect(seen.every((p) => p.jobId === JOB)).toBe(true);
    expect(seen.map((p) => (p.phase === 'job' ? ['job', p.status, p.servers] : ['server', p.serverId, p.status, p.taskState]))).toEqual([
      ['job', 'INIT', []],
      ['job', 'RUNNING', [{ serverId: A, status: 'RUNNING' }]],
      ['job', 'SUCCESS', [{ serverId: A, status: 'SUCCESS' }]],
      ['server', A, 'ACTIVE', 'powering-off'],
      ['server', A, 'SHUTOFF', null],
    ]);
  });

  it('a job that disappears (404) while being followed: EcsJobWaitError not-found, with the job as last read', async () => {
    const running = job('RUNNING', [subJob(A, 'RUNNING')]);
    const f = fakeEcs({ jobs: [running, 404] });
    const error = await finish(rejection(makeClient(f.fetch).waitForJob(JOB)));
    expect(error).toBeInstanceOf(EcsJobWaitError);
    expect(error).toMatchObject({ reason: 'not-found', jobId: JOB, job: running });
    expect((error as Error).cause).toBeInstanceOf(EcsApiError);
    expect((error as Error).cause).toMatchObject({ status: 404 });
  });

  it('a job that never ends: EcsJobWaitError timeout exactly at timeoutMs, after reads spaced by the backoff', async () => {
    const f = fakeEcs({ jobs: [job('RUNNING', [subJob(A, 'RUNNING')])] });
    const started = Date.now();
    const readAt: number[] = [];
    const timed = (request: Request) => (readAt.push(Date.now() - started), f.fetch(request));
    const outcome = rejection(makeClient(timed).waitForJob(JOB, { timeoutMs: 5_000, intervalMs: 1_000, maxIntervalMs: 2_000 }));
    await expectSettlesAt(outcome, 5_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(EcsJobWaitError);
    expect(error).toMatchObject({ reason: 'timeout', jobId: JOB, message: `Job ${JOB} had not ended after 5 s (status RUNNING)` });
    // Paused 1, 1.5, 2, 2 s: then the deadline.
    expect(readAt).toEqual([0, 1_000, 2_500, 4_500]);
    expect(f.calls().every((c) => c === `GET ${jobPath}`)).toBe(true);
  });

  it('the deadline covers the servers too: a server not SHUTOFF by then failed (timeout), the other stopped', async () => {
    const f = fakeEcs({
      jobs: [job('RUNNING', [subJob(A, 'RUNNING'), subJob(B, 'RUNNING')]), job('SUCCESS', [subJob(A, 'SUCCESS'), subJob(B, 'SUCCESS')])],
      servers: { [A]: ['ACTIVE'], [B]: ['SHUTOFF'] },
    });
    const outcome = makeClient(f.fetch).waitForJob(JOB, { timeoutMs: 10_000, intervalMs: 1_000, maxIntervalMs: 1_000 });
    // The job ended after 1 s; the server phase has the 9 s left.
    await expectSettlesAt(outcome, 10_000);
    const result = await outcome;
    expect(result).toMatchObject({ status: 'SUCCESS', ok: false });
    expect(result.servers.map((s) => [s.serverId, s.outcome, s.reason])).toEqual([
      [A, 'failed', 'timeout'],
      [B, 'stopped', undefined],
    ]);
  });

  it.each([
    ['the job', { jobs: [job('RUNNING', [subJob(A, 'RUNNING')])] }],
    ['a server', { jobs: [job('SUCCESS', [subJob(A, 'SUCCESS')])], servers: { [A]: ['ACTIVE'] } }],
  ])("the caller's signal stops the wait at once while it follows %s", async (following, ecs) => {
    const f = fakeEcs(ecs);
    const firstRead = deferred();
    const controller = new AbortController();
    const outcome = rejection(
      makeClient(f.fetch).waitForJob(JOB, {
        signal: controller.signal,
        intervalMs: 10_000,
        onProgress: (p) => (following === 'the job' || p.phase === 'server') && firstRead.resolve(),
      }),
    );
    await firstRead.promise;
    // Halfway through the 10 s pause after that read.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await settled(outcome)).toBe(false);
    const reads = f.requests.length;
    const reason = new Error('caller gave up');
    controller.abort(reason);
    // At once: without the clock moving.
    expect(await settled(outcome)).toBe(true);
    expect(await outcome).toBe(reason);
    expect(f.requests).toHaveLength(reads);
  });

  it.each([
    ['an invalid job ID', '..', {}, /^jobId$/],
    ['options that are not an object', JOB, null, /^options$/],
    ['a signal that is not an AbortSignal', JOB, { signal: 'stop' }, /^signal$/],
    ['timeoutMs 0', JOB, { timeoutMs: 0 }, /(^|\.)timeoutMs$/],
    ['onProgress not a function', JOB, { onProgress: 42 }, /(^|\.)onProgress$/],
  ])('refuses %s before any request, as a rejected promise like every other call', async (_, jobId, options, field) => {
    const f = fakeEcs({ jobs: [job('SUCCESS', [])] });
    const client = makeClient(f.fetch);
    let call: Promise<unknown> | undefined;
    // `waitForJob(...).catch(...)` must catch it: no synchronous throw.
    expect(() => void (call = client.waitForJob(jobId, options as never))).not.toThrow();
    expect((await refused(f, call!)).field).toMatch(field);
  });
});

describe('findServersByName', () => {
  const listed = (...names: [string, string][]) => ({ servers: names.map(([id, name]) => ({ id, name, links: [] })) });

  it.each([
    ['web.01(a)', '^web\\.01\\(a\\)$'],
    ['ecs-web-01', '^ecs\\-web\\-01$'],
    ['a+b*c?', '^a\\+b\\*c\\?$'],
    ['[x]{2}|y', '^\\[x\\]\\{2\\}\\|y$'],
    ['^$\\', '^\\^\\$\\\\$'],
    ['plain name', '^plain name$'],
    ['名前', '^名前$'],
  ])('asks Nova for %j as the anchored, escaped pattern %j', async (name, pattern) => {
    const f = fakeFetch(() => json(200, listed()));
    await makeClient(f.fetch).findServersByName(name);
    const url = new URL(f.requests[0]!.url);
    expect(url.pathname).toBe(`/v2.1/${PROJECT}/servers`);
    expect(url.searchParams.get('name')).toBe(pattern);
    expect([...url.searchParams.keys()]).toEqual(['name']);
    // As a regular expression, the pattern matches the name and nothing longer.
    expect(new RegExp(pattern).test(name)).toBe(true);
    expect(new RegExp(pattern).test(`${name}x`)).toBe(false);
    expect(new RegExp(pattern).test(`x${name}`)).toBe(false);
  });

  it('keeps only the servers named exactly so (Nova may match more), every one of them', async () => {
    const f = fakeFetch(() =>
      json(
        200,
        listed([A, 'web.01(a)'], [B, 'web.01(a)-old'], [C, 'WEB.01(A)'], ['6a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b', 'web.01(a)'], ['7b2f3c4d-5e6f-4a70-9b8c-1d2e3f4a5b6c', ' web.01(a)']),
      ),
    );
    const found = await makeClient(f.fetch).findServersByName('web.01(a)');
    expect(found.map((s) => s.id)).toEqual([A, '6a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b']);
  });

  it('none found is an empty list', async () => {
    const f = fakeFetch(() => json(200, listed()));
    await expect(makeClient(f.fetch).findServersByName('web')).resolves.toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'a'.repeat(256)],
    ['a newline', 'web\n01'],
    ['a NUL', 'web\u0000'],
    ['a tab', 'web\t01'],
    ['DEL', 'web\u007f'],
    ['a C1 control character', 'web\u0085'],
    ['a number', 42],
    ['undefined', undefined],
  ])('refuses a name that is %s before any request', async (_, name) => {
    const f = fakeFetch(() => json(200, listed()));
    const error = await refused(f, makeClient(f.fetch).findServersByName(name as string));
    expect(error.field).toBe('name');
  });

  it('a list answer that is not a list of servers is a typed error', async () => {
    const f = fakeFetch(() => json(200, { server: { id: A, name: 'web' } }));
    const error = await apiError(makeClient(f.fetch).findServersByName('web'));
    expect(error).toMatchObject({ status: 200, kind: 'http', message: 'The server list answered 200 without a list of servers' });
  });

  it('an error answer is an EcsApiError', async () => {
    const f = fakeFetch(() => json(403, { forbidden: { code: 403, message: 'Policy does not allow os_compute_api:servers:index to be performed.' } }));
    const error = await apiError(makeClient(f.fetch).findServersByName('web'));
    expect(error).toMatchObject({ status: 403, kind: 'forbidden' });
  });
});

describe('listServers', () => {
  it('sends the name pattern and status as given, on the Nova version of the client', async () => {
    const f = fakeFetch(() => json(200, { servers: [] }));
    await makeClient(f.fetch, { novaVersion: 'v2' }).listServers({ name: 'web', status: 'SHUTOFF' });
    const url = new URL(f.requests[0]!.url);
    expect(url.pathname).toBe(`/v2/${PROJECT}/servers`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ name: 'web', status: 'SHUTOFF' });
  });

  it('sends no query without filters', async () => {
    const f = fakeFetch(() => json(200, { servers: [] }));
    await makeClient(f.fetch).listServers();
    expect(f.requests[0]!.url).toBe(`${ENDPOINT}/v2.1/${PROJECT}/servers`);
  });

  it.each([
    ['status lowercase', 'status', { status: 'shutoff' }],
    ['status unknown', 'status', { status: 'STOPPED' }],
    ['name empty', 'name', { name: '' }],
    ['name with a newline', 'name', { name: 'web\n' }],
  ])('refuses %s before any request, naming %s', async (_, field, options) => {
    const f = fakeFetch(() => json(200, { servers: [] }));
    const error = await refused(f, makeClient(f.fetch).listServers(options as never));
    expect(error.field).toBe(field);
  });
});
