/**
 * `ecs-stop` with several servers, names and --dry-run, run in-process against an in-memory ECS
 * (the batch stop, its jobs, the Nova action, server reads and the server list by name): what it
 * sends, what it reports in text and --json, and its exit codes.
 */
import { describe, expect, it } from 'vitest';
import { exitCodes, main } from '../../src/cli.js';
import type { Clock } from '../../src/cli/output.js';
import { json, PROJECT, TOKEN } from '../support/fixtures.js';

const ENV = { ECS_AUTH_TOKEN: TOKEN, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, HUAWEICLOUD_SDK_REGION: 'cn-north-4' };
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const REQUEST_ID = '0f4e6fc6a1a9e0c0b1f2b3a4d5e6f708';
const A = uuid(1);
const B = uuid(2);

interface FakeServer {
  name: string;
  status: 'ACTIVE' | 'SHUTOFF' | 'ERROR';
  /** Stopped by a job, SHUTOFF only after one more read (a job that says SUCCESS early). */
  offAfterRead?: boolean;
}

interface WorldOptions {
  servers: { id: string; name?: string; status?: FakeServer['status'] }[];
  /** Servers whose part of a job fails (Ecs.0100). */
  failing?: string[];
  /** The job says SUCCESS before its servers are SHUTOFF. */
  successEarly?: boolean;
  /** The answer to the n-th batch request (1-based), instead of a job. */
  refuseBatch?: { nth: number; status: number; body: unknown };
  /** The answer to every job read, instead of the job. */
  jobAnswer?: { status: number; body: unknown };
  /** Servers that go to ERROR instead of SHUTOFF when stopped. */
  erring?: string[];
  /** A server the job lists although nobody asked for it. */
  stranger?: string;
  /** Servers whose reads fail (500). */
  unreadable?: string[];
}

/** An in-memory ECS: every request recorded, answered as Huawei's ECS and Nova do. */
function ecsWorld(options: WorldOptions) {
  const servers = new Map<string, FakeServer>(options.servers.map((s) => [s.id, { name: s.name ?? `server-${s.id.slice(-4)}`, status: s.status ?? 'ACTIVE' }]));
  const jobs = new Map<string, { ids: string[] }>();
  const sent: { method: string; path: string; query: string; body: unknown }[] = [];
  let batches = 0;
  const view = (id: string) => {
    const server = servers.get(id)!;
    const status = server.status;
    if (server.offAfterRead) Object.assign(server, { status: 'SHUTOFF', offAfterRead: false });
    return { id, name: server.name, status, links: [] };
  };
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const body = request.method === 'POST' ? JSON.parse(await request.text()) : undefined;
    sent.push({ method: request.method, path: url.pathname, query: url.search, body });
    const path = url.pathname.replace(`/${PROJECT}`, '/{p}');
    if (request.method === 'POST' && path === '/v1/{p}/cloudservers/action') {
      batches++;
      if (options.refuseBatch?.nth === batches) return json(options.refuseBatch.status, options.refuseBatch.body);
      const jobId = batches.toString(16).padStart(32, 'f');
      jobs.set(jobId, { ids: (body['os-stop'].servers as { id: string }[]).map((s) => s.id) });
      // The gateway's request ID on every other batch: reports show it where there is one.
      return json(200, { job_id: jobId }, batches % 2 === 0 ? { 'X-Request-Id': REQUEST_ID } : {});
    }
    const job = /^\/v1\/\{p\}\/jobs\/([0-9a-f]{32})$/.exec(path);
    if (job && options.jobAnswer) return json(options.jobAnswer.status, options.jobAnswer.body);
    if (job) {
      const ids = [...jobs.get(job[1]!)!.ids, ...(options.stranger ? [options.stranger] : [])];
      const failed = ids.filter((id) => options.failing?.includes(id));
      for (const id of ids) {
        if (failed.includes(id) || !servers.has(id)) continue;
        if (options.erring?.includes(id)) servers.get(id)!.status = 'ERROR';
        else Object.assign(servers.get(id)!, options.successEarly ? { offAfterRead: true } : { status: 'SHUTOFF' });
      }
      const sub_jobs = ids.map((id) =>
        failed.includes(id)
          ? { status: 'FAIL', error_code: 'Ecs.0100', fail_reason: 'The ECS status does not meet requirements.', entities: { server_id: id, errorcode_message: 'Ecs.0100: The ECS status does not meet requirements.' } }
          : { status: 'SUCCESS', error_code: null, fail_reason: null, entities: { server_id: id } },
      );
      return json(200, { job_id: job[1], job_type: 'batchStopServer', status: failed.length > 0 ? 'FAIL' : 'SUCCESS', entities: { sub_jobs_total: ids.length, sub_jobs } });
    }
    const list = /^\/(v2|v2\.1)\/\{p\}\/servers$/.exec(path);
    if (list && request.method === 'GET') {
      const pattern = new RegExp(url.searchParams.get('name') ?? '');
      return json(200, { servers: [...servers.keys()].filter((id) => pattern.test(servers.get(id)!.name)).map((id) => ({ id, name: servers.get(id)!.name, links: [] })) });
    }
    const one = /^\/(v2|v2\.1)\/\{p\}\/servers\/([^/]+)(\/action)?$/.exec(path);
    if (one && servers.has(one[2]!)) {
      const server = servers.get(one[2]!)!;
      if (request.method === 'GET') {
        return options.unreadable?.includes(one[2]!) ? json(500, { computeFault: { code: 500, message: 'Unexpected API Error.' } }) : json(200, { server: view(one[2]!) });
      }
      if (server.status === 'SHUTOFF') {
        return json(409, { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${one[2]} while it is in vm_state stopped` } });
      }
      server.status = options.erring?.includes(one[2]!) ? 'ERROR' : 'SHUTOFF';
      return new Response(null, { status: 202 });
    }
    return json(404, { itemNotFound: { code: 404, message: 'not found' } });
  };
  return { servers, sent, fetch, stops: () => sent.filter((r) => r.method === 'POST') };
}

/** A clock whose time moves only when the CLI pauses between batches (or `tick` says so). */
function fakeClock(tick = 0): Clock & { pauses: number[] } {
  let now = 0;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => (now += tick),
    sleep: async (ms) => {
      pauses.push(ms);
      now += ms;
    },
  };
}

async function run(argv: string[], world: ReturnType<typeof ecsWorld>, extra: { env?: Record<string, string | undefined>; clock?: Clock; terminal?: boolean } = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const progress: string[] = [];
  const code = await main(argv, { ...ENV, ...extra.env }, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    ...(extra.terminal && { progress: (text: string) => progress.push(text) }),
    fetch: world.fetch,
    clock: extra.clock ?? fakeClock(),
  });
  return { code, stdout, stderr, progress, report: () => JSON.parse(stdout.join('\n')) as Record<string, unknown> & { servers: Record<string, unknown>[] } };
}

describe('ecs-stop with several servers: the batch stop', () => {
  it('stops two servers as one job of the batch API, in the order given, and says so', async () => {
    const world = ecsWorld({ servers: [{ id: A }, { id: B }] });
    const result = await run([B, A, '--type', 'hard'], world);
    expect(result.code).toBe(exitCodes.ok);
    expect(world.stops()).toEqual([{ method: 'POST', path: `/v1/${PROJECT}/cloudservers/action`, query: '', body: { 'os-stop': { type: 'HARD', servers: [{ id: B }, { id: A }] } } }]);
    expect(result.stdout).toEqual([
      `Stop accepted for 2 servers as job ${'1'.padStart(32, 'f')} (HTTP 200)`,
      `server ${B}: stop accepted`,
      `server ${A}: stop accepted`,
      '2 servers: 2 stop accepted',
    ]);
    expect(result.stderr).toEqual([]);
  });

  it('1,000 servers go out as one batch; --json reports each', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => uuid(i + 1));
    const world = ecsWorld({ servers: ids.map((id) => ({ id })) });
    const result = await run([...ids, '--json', '--type', 'HARD'], world);
    expect(result.code).toBe(exitCodes.ok);
    expect(world.stops()).toHaveLength(1);
    expect(result.report()).toMatchObject({ type: 'HARD' });
    expect((world.stops()[0]!.body as { 'os-stop': { servers: unknown[] } })['os-stop'].servers).toHaveLength(1000);
    const report = result.report();
    expect(report).toMatchObject({ ok: true, api: 'batch', counts: { accepted: 1000 } });
    expect(report.servers).toHaveLength(1000);
    expect(result.stderr).toEqual([]);
  });

  it('2,500 servers go out as batches of 1,000, 1,000 and 500, a minute apart, with one combined report', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => uuid(i + 1));
    const world = ecsWorld({ servers: ids.map((id) => ({ id })) });
    const clock = fakeClock();
    const text = await run(ids, world, { clock });
    expect(text.code).toBe(exitCodes.ok);
    expect(world.stops().map((r) => (r.body as { 'os-stop': { servers: unknown[] } })['os-stop'].servers.length)).toEqual([1000, 1000, 500]);
    expect(clock.pauses).toEqual([60_000, 60_000]);
    expect(text.stderr).toEqual([
      'batch 2 of 3 in 60 s (Huawei stops at most 1,000 servers a minute)',
      'batch 3 of 3 in 60 s (Huawei stops at most 1,000 servers a minute)',
    ]);
    expect(text.stdout.filter((line) => line.startsWith('Stop accepted for'))).toEqual([
      `Stop accepted for 1000 servers as job ${'1'.padStart(32, 'f')} (HTTP 200)`,
      `Stop accepted for 1000 servers as job ${'2'.padStart(32, 'f')} (HTTP 200, request ${REQUEST_ID})`,
      `Stop accepted for 500 servers as job ${'3'.padStart(32, 'f')} (HTTP 200)`,
    ]);
    expect(text.stdout.at(-1)).toBe('2500 servers: 2500 stop accepted');

    const json = await run([...ids, '--json'], ecsWorld({ servers: ids.map((id) => ({ id })) }));
    expect(json.stderr).toEqual([]);
    expect(json.report()).toMatchObject({ ok: true, jobs: [{ serverIds: ids.slice(0, 1000) }, { serverIds: ids.slice(1000, 2000) }, { serverIds: ids.slice(2000) }] });
  });

  it('a batch refused after others were accepted: exit 6, the servers after it not sent, and the report says which', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => uuid(i + 1));
    const refuseBatch = { nth: 2, status: 403, body: { error: { code: 'Ecs.0003', message: 'You do not have permission to perform this operation.' } } };
    const world = ecsWorld({ servers: ids.map((id) => ({ id })), refuseBatch });
    const result = await run([...ids, '--json'], world);
    expect(result.code).toBe(exitCodes.partial);
    const report = result.report();
    expect(report).toMatchObject({ ok: false, counts: { accepted: 1000, 'not-sent': 1500 }, error: { kind: 'ecs', status: 403, code: 'Ecs.0003' } });
    expect(world.stops()).toHaveLength(2);

    const text = await run(ids, ecsWorld({ servers: ids.map((id) => ({ id })), refuseBatch }));
    expect(text.code).toBe(exitCodes.partial);
    expect(text.stderr.at(-1)).toBe('ecs-stop: a stop request failed, and the servers after it were not sent: You do not have permission to perform this operation.');
  });

  it('the first batch refused: nothing was stopped, exit 3 with the error, as for one server', async () => {
    const world = ecsWorld({ servers: [{ id: A }, { id: B }], refuseBatch: { nth: 1, status: 403, body: { error: { code: 'Ecs.0003', message: 'You do not have permission to perform this operation.' } } } });
    const result = await run([A, B], world);
    expect(result.code).toBe(exitCodes.api);
    expect(result.stderr).toEqual(['ecs-stop: 403 Ecs.0003: You do not have permission to perform this operation.']);
  });
});

describe('ecs-stop --wait with several servers', () => {
  it('follows the job, then reads each server until SHUTOFF, even when the job says SUCCESS first', async () => {
    const world = ecsWorld({ servers: [{ id: A, name: 'web-01' }, { id: B, name: 'web-02' }], successEarly: true });
    const result = await run([A, B, '--wait', '--json'], world);
    expect(result.code).toBe(exitCodes.ok);
    expect(result.report()).toMatchObject({
      ok: true,
      jobs: [{ status: 'SUCCESS' }],
      servers: [
        { serverId: A, outcome: 'stopped', status: 'SHUTOFF' },
        { serverId: B, outcome: 'stopped', status: 'SHUTOFF' },
      ],
    });
    // Each server was read twice: ACTIVE after the job's SUCCESS, then SHUTOFF.
    expect(world.sent.filter((r) => r.method === 'GET' && r.path.endsWith(A))).toHaveLength(2);
  });

  it('a job that fails for one server: exit 6, that server named with its error, the other stopped', async () => {
    const world = ecsWorld({ servers: [{ id: A }, { id: B }], failing: [B] });
    const text = await run([A, B, '--wait'], world);
    expect(text.code).toBe(exitCodes.partial);
    expect(text.stdout).toEqual([
      `Stop accepted for 2 servers as job ${'1'.padStart(32, 'f')} (HTTP 200); the job ended FAIL`,
      `server ${A}: stopped`,
      `server ${B}: not stopped, its stop failed: Ecs.0100: The ECS status does not meet requirements.`,
      expect.stringMatching(/^2 servers: 1 stopped, 1 not stopped, after \d+ s$/),
    ]);
    const json = await run([A, B, '--wait', '--json'], ecsWorld({ servers: [{ id: A }, { id: B }], failing: [B] }));
    expect(json.report()).toMatchObject({ ok: false, servers: [{ outcome: 'stopped' }, { serverId: B, outcome: 'failed', code: 'Ecs.0100', reason: 'job' }] });
  });

  it('--ok-if-stopped: a server whose part failed because it was already off counts as stopped', async () => {
    const world = ecsWorld({ servers: [{ id: A }, { id: B, status: 'SHUTOFF' }], failing: [B] });
    const result = await run([A, B, '--wait', '--ok-if-stopped', '--json'], world);
    expect(result.code).toBe(exitCodes.ok);
    expect(result.report()).toMatchObject({ ok: true, servers: [{ outcome: 'stopped' }, { serverId: B, outcome: 'already-stopped', status: 'SHUTOFF' }] });
  });

  it('progress on a terminal: a line for each server as it ends, and the progress line', async () => {
    const world = ecsWorld({ servers: [{ id: A, name: 'web-01' }, { id: B, name: 'web-02' }], failing: [B] });
    const result = await run(['web-01', 'web-02', '--wait'], world, { terminal: true });
    expect(result.stderr).toEqual([
      `server ${B} (web-02): its part of job ${'1'.padStart(32, 'f')} failed`,
      expect.stringMatching(new RegExp(`^server ${A} \\(web-01\\): SHUTOFF after \\d+ s$`)),
    ]);
    expect(result.progress.at(-1)).toMatch(/^2 of 2 servers done, \d+ s; last: server /);
  });

  it('progress off a terminal: a summary line on stderr every few seconds, none in --json', async () => {
    const world = () => ecsWorld({ servers: [{ id: A }, { id: B }] });
    // Each reading of the clock moves it 6 s: every progress report is due.
    const text = await run([A, B, '--wait'], world(), { clock: fakeClock(6_000) });
    expect(text.stderr.length).toBeGreaterThan(0);
    for (const line of text.stderr) expect(line).toMatch(/^\d of 2 servers done, \d+ s; last: /);
    // A clock that stands still: no line is due.
    expect((await run([A, B, '--wait'], world(), { clock: fakeClock(0) })).stderr).toEqual([]);
    expect((await run([A, B, '--wait', '--json'], world(), { clock: fakeClock(6_000) })).stderr).toEqual([]);
  });
});

describe('ecs-stop with server names', () => {
  const servers = [{ id: A, name: 'web-01' }, { id: B, name: 'db' }, { id: uuid(3), name: 'db' }, { id: uuid(4), name: 'webx01' }];

  it('a unique name is resolved (anchored and escaped) and stopped with Nova’s action', async () => {
    const world = ecsWorld({ servers });
    const result = await run(['web-01'], world);
    expect(result.code).toBe(exitCodes.ok);
    expect(world.sent[0]).toMatchObject({ method: 'GET', path: `/v2.1/${PROJECT}/servers`, query: `?name=${encodeURIComponent('^web\\-01$')}` });
    expect(world.stops()).toEqual([{ method: 'POST', path: `/v2.1/${PROJECT}/servers/${A}/action`, query: '', body: { 'os-stop': {} } }]);
    expect(result.stdout).toEqual([`Stop accepted for server ${A} (HTTP 202)`]);
  });

  it('a name that names several servers: exit 2, nothing stopped, the name and the IDs given', async () => {
    const world = ecsWorld({ servers });
    const result = await run(['web-01', 'db'], world);
    expect(result.code).toBe(exitCodes.usage);
    expect(world.stops()).toEqual([]);
    expect(result.stderr[0]).toBe(`ecs-stop: 2 servers have the name 'db' (argument 2): give the ID instead (${B}, ${uuid(3)}); nothing was stopped`);
  });

  it('a missing name: exit 2, nothing stopped, even when the other servers exist', async () => {
    const world = ecsWorld({ servers });
    const result = await run([A, 'web.01', '--json'], world);
    expect(result.code).toBe(exitCodes.usage);
    expect(world.stops()).toEqual([]);
    // `web.01` is matched exactly: `webx01` is not it.
    expect(result.report()).toEqual({ ok: false, error: { kind: 'usage', field: 'server-id', message: "no server has the name 'web.01' (argument 2); nothing was stopped" } });
  });

  it('a name and an ID of the same server: refused, nothing stopped', async () => {
    const world = ecsWorld({ servers });
    const result = await run([A, 'web-01'], world);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.stderr[0]).toBe(`ecs-stop: arguments 1 and 2 name the same server (${A}): list each server once`);
    expect(world.stops()).toEqual([]);
  });
});

describe('ecs-stop --dry-run', () => {
  it('resolves names and reads every server, prints each status, and sends no stop', async () => {
    const world = ecsWorld({ servers: [{ id: A, name: 'web-01' }, { id: B, status: 'SHUTOFF' }] });
    const result = await run(['web-01', B, '--dry-run'], world);
    expect(result.code).toBe(exitCodes.ok);
    expect(world.stops()).toEqual([]);
    expect(world.sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v2.1/${PROJECT}/servers`,
      `GET /v2.1/${PROJECT}/servers/${A}`,
      `GET /v2.1/${PROJECT}/servers/${B}`,
    ]);
    expect(result.stdout).toEqual([
      "Dry run, nothing was stopped: would stop 2 servers with Huawei's batch stop (SOFT):",
      `  server ${A} (web-01): ACTIVE`,
      `  server ${B}: SHUTOFF`,
    ]);
    const json = await run([A, '--dry-run', '--json', '--type', 'HARD'], ecsWorld({ servers: [{ id: A }] }));
    expect(json.report()).toEqual({ ok: true, dryRun: true, api: 'nova', type: 'HARD', servers: [{ serverId: A, status: 'ACTIVE' }] });
  });

  it('a server that cannot be read: the API error, exit 3, and still no stop', async () => {
    const world = ecsWorld({ servers: [{ id: A }] });
    const result = await run([A, B, '--dry-run'], world);
    expect(result.code).toBe(exitCodes.api);
    expect(result.stderr[0]).toMatch(/^ecs-stop: 404 itemNotFound: /);
    expect(world.stops()).toEqual([]);
  });
});

describe('ecs-stop: choosing the API, and the contract checks’ variables', () => {
  it('--api nova stops several servers with the action on each; --api batch stops one as a batch', async () => {
    const nova = ecsWorld({ servers: [{ id: A }, { id: B }] });
    const several = await run([A, B, '--api', 'nova', '--json'], nova);
    expect(several.code).toBe(exitCodes.ok);
    expect(nova.stops().map((r) => r.path).sort()).toEqual([`/v2.1/${PROJECT}/servers/${A}/action`, `/v2.1/${PROJECT}/servers/${B}/action`]);
    expect(several.report()).toMatchObject({ ok: true, api: 'nova', servers: [{ outcome: 'accepted' }, { outcome: 'accepted' }] });

    const batch = ecsWorld({ servers: [{ id: A }] });
    expect((await run([A, '--api', 'batch'], batch)).code).toBe(exitCodes.ok);
    expect(batch.stops()).toEqual([{ method: 'POST', path: `/v1/${PROJECT}/cloudservers/action`, query: '', body: { 'os-stop': { servers: [{ id: A }] } } }]);
  });

  it('--api nova: one server refused among others accepted gives exit 6; all refused gives the error (exit 3)', async () => {
    const world = ecsWorld({ servers: [{ id: A }] });
    const partial = await run([A, B, '--api', 'nova', '--json'], world);
    expect(partial.code).toBe(exitCodes.partial);
    expect(partial.report()).toMatchObject({ servers: [{ serverId: A, outcome: 'accepted' }, { serverId: B, outcome: 'failed', reason: 'itemNotFound' }] });
    const none = await run([uuid(7), B, '--api', 'nova'], ecsWorld({ servers: [] }));
    expect(none.code).toBe(exitCodes.api);
    expect(none.stderr[0]).toMatch(/^ecs-stop: 404 itemNotFound: /);
  });

  it('takes ECS_PROJECT_ID and ECS_API_VERSION, as the contract checks do', async () => {
    const world = ecsWorld({ servers: [{ id: A }] });
    const result = await run([A], world, { env: { HUAWEICLOUD_SDK_PROJECT_ID: undefined, ECS_PROJECT_ID: PROJECT, ECS_API_VERSION: 'v2' } });
    expect(result.code).toBe(exitCodes.ok);
    expect(world.stops()[0]!.path).toBe(`/v2/${PROJECT}/servers/${A}/action`);
  });
});

describe('ecs-stop with several servers: secrets the server echoes', () => {
  it('a job whose failure messages and a list whose names quote the token: cut out of every line, in text and --json', async () => {
    const echoing = (inner: ReturnType<typeof ecsWorld>) => async (request: Request) => {
      const token = request.headers.get('x-auth-token') ?? '';
      const response = await inner.fetch(request);
      if (!response.headers.get('content-type')?.includes('json')) return response;
      const text = (await response.text()).replaceAll('The ECS status does not meet requirements.', `refused for ${token}`).replaceAll('web-02', `web-02 ${token}`);
      return new Response(text, { status: response.status, headers: response.headers });
    };
    for (const mode of [[], ['--json']]) {
      const world = ecsWorld({ servers: [{ id: A, name: 'web-01' }, { id: B, name: 'web-02' }], failing: [B] });
      const stdout: string[] = [];
      const stderr: string[] = [];
      const progress: string[] = [];
      const code = await main(['web-01', B, '--wait', ...mode], ENV, {
        stdout: (line) => stdout.push(line),
        stderr: (line) => stderr.push(line),
        progress: (text) => progress.push(text),
        fetch: echoing(world),
        clock: fakeClock(6_000),
      });
      expect(code).toBe(exitCodes.partial);
      const all = [...stdout, ...stderr, ...progress].join('\n');
      expect(all).not.toContain(TOKEN);
      expect(all).toContain('refused for [redacted]');
    }
  });
});

describe('ecs-stop --wait with several servers: what can go wrong after the stop was accepted', () => {
  it('a server that goes to ERROR: exit 5, its stop accepted, the other stopped', async () => {
    const world = ecsWorld({ servers: [{ id: A }, { id: B }], erring: [B] });
    const result = await run([A, B, '--wait', '--json'], world);
    expect(result.code).toBe(exitCodes.wait);
    expect(result.report()).toMatchObject({ ok: false, servers: [{ outcome: 'stopped' }, { serverId: B, outcome: 'not-stopped', reason: 'error-state', status: 'ERROR' }] });
    const text = await run([A, B, '--wait'], ecsWorld({ servers: [{ id: A }, { id: B }], erring: [B] }));
    expect(text.stdout).toContain(`server ${B}: not stopped in time, although its stop was accepted (status ERROR): Server ${B} went to ERROR while stopping`);
  });

  it.each([
    ['disappears (404)', { status: 404, body: { error: { code: 'Ecs.0000', message: 'The job does not exist.' } } }, 'job-not-found'],
    ['cannot be read (403)', { status: 403, body: { error: { code: 'Ecs.0003', message: 'You do not have permission to perform this operation.' } } }, 'job-unreadable'],
  ])('a job that %s while followed: its servers are not confirmed stopped (exit 5), though their stop was accepted', async (_, jobAnswer, reason) => {
    const world = ecsWorld({ servers: [{ id: A }, { id: B }], jobAnswer });
    const result = await run([A, B, '--wait', '--json'], world);
    expect(result.code).toBe(exitCodes.wait);
    expect(result.report()).toMatchObject({ ok: false, servers: [{ outcome: 'not-stopped', reason }, { outcome: 'not-stopped', reason }] });
  });

  it('--ok-if-stopped: a failed server that cannot be read stays failed', async () => {
    const world = ecsWorld({ servers: [{ id: A }, { id: B, status: 'SHUTOFF' }], failing: [B], unreadable: [B] });
    const result = await run([A, B, '--wait', '--ok-if-stopped', '--json'], world);
    expect(result.code).toBe(exitCodes.partial);
    expect(result.report()).toMatchObject({ servers: [{ outcome: 'stopped' }, { serverId: B, outcome: 'failed' }] });
  });

  it('a server the job lists although nobody asked for it is left out of the report', async () => {
    const world = ecsWorld({ servers: [{ id: A }, { id: B }], stranger: uuid(9) });
    const result = await run([A, B, '--wait', '--json'], world);
    expect(result.report().servers.map((server) => server.serverId)).toEqual([A, B]);
  });

  it('batches already a minute apart need no pause', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => uuid(i + 1));
    const clock = fakeClock(61_000);
    const result = await run(ids, ecsWorld({ servers: ids.map((id) => ({ id })) }), { clock });
    expect(result.code).toBe(exitCodes.ok);
    expect(clock.pauses).toEqual([]);
    expect(result.stderr).toEqual([]);
  });
});

describe('ecs-stop --api nova with several servers', () => {
  it('--wait --type HARD: each server stopped with its own action and read until SHUTOFF, with progress', async () => {
    const world = ecsWorld({ servers: [{ id: A, name: 'web-01' }, { id: B, name: 'web-02' }] });
    const result = await run(['web-01', 'web-02', '--api', 'nova', '--wait', '--type', 'HARD'], world, { terminal: true });
    expect(result.code).toBe(exitCodes.ok);
    expect(world.stops().map((r) => r.body)).toEqual([{ 'os-stop': { type: 'HARD' } }, { 'os-stop': { type: 'HARD' } }]);
    expect(result.stdout).toEqual([`server ${A} (web-01): stopped`, `server ${B} (web-02): stopped`, expect.stringMatching(/^2 servers: 2 stopped, after \d+ s$/)]);
    expect(result.stderr).toEqual([expect.stringMatching(/: SHUTOFF after \d+ s$/), expect.stringMatching(/: SHUTOFF after \d+ s$/)]);
  });

  it('--ok-if-stopped: a server already off counts as stopped; one that goes to ERROR gives exit 5', async () => {
    const already = ecsWorld({ servers: [{ id: A }, { id: B, status: 'SHUTOFF' }] });
    const ok = await run([A, B, '--api', 'nova', '--ok-if-stopped', '--json'], already);
    expect(ok.code).toBe(exitCodes.ok);
    expect(ok.report()).toMatchObject({ servers: [{ outcome: 'accepted' }, { serverId: B, outcome: 'already-stopped' }] });

    const erring = ecsWorld({ servers: [{ id: A }, { id: B }], erring: [B] });
    const wait = await run([A, B, '--api', 'nova', '--wait', '--json'], erring);
    expect(wait.code).toBe(exitCodes.wait);
    expect(wait.report()).toMatchObject({ servers: [{ outcome: 'stopped', status: 'SHUTOFF' }, { serverId: B, outcome: 'not-stopped', reason: 'error-state', status: 'ERROR' }] });
  });

  it('--dry-run with Nova’s action says so', async () => {
    const result = await run([A, B, '--api', 'nova', '--dry-run'], ecsWorld({ servers: [{ id: A }, { id: B }] }));
    expect(result.stdout[0]).toBe("Dry run, nothing was stopped: would stop 2 servers with Nova's stop action (SOFT):");
  });
});

describe('ecs-stop with several servers: output closed early', () => {
  const closedPipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

  it.each([['batch'], ['nova']])('--api %s --wait: the progress line finds its pipe closed, the wait is given up, exit 141', async (api) => {
    // The servers never stop: only the closed pipe can end the wait.
    const world = ecsWorld({ servers: [{ id: A }, { id: B }], erring: [] });
    const never = async (request: Request) => {
      const response = await world.fetch(request);
      if (request.method === 'GET' && /servers\/[^/]+$/.test(new URL(request.url).pathname)) {
        const body = (await response.json()) as { server: { status: string } };
        return json(200, { server: { ...body.server, status: 'ACTIVE', 'OS-EXT-STS:task_state': 'powering-off' } });
      }
      return response;
    };
    const stdout: string[] = [];
    const code = await main([A, B, '--api', api, '--wait'], ENV, {
      stdout: (line) => stdout.push(line),
      stderr: () => {},
      progress: () => {
        throw closedPipe();
      },
      fetch: never,
      clock: fakeClock(),
    });
    expect(code).toBe(exitCodes.closedPipe);
    expect(stdout).toEqual([]);
  });
});
