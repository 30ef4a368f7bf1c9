/**
 * Attacks on "bad input never leaves the machine", through the raw client and the typed calls,
 * which JavaScript callers can reach without TypeScript's checks: each row a path parameter that
 * would send an authenticated request elsewhere, a server list that would stop other servers than
 * listed, or a name or status that would change the query, refused before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { EcsInputError } from '../../src/index.js';
import { fakeFetch, json, makeClient, PROJECT, rejection, SERVER } from '../support/fixtures.js';
import { manyServerIds } from '../support/spec.js';

describe('raw: a path parameter that would point the request elsewhere', () => {
  it.each([
    ['an array holding ..', ['..']],
    ['an array holding .', ['.']],
    ['an array of two segments', ['a', 'b']],
    ['an empty array', []],
    ['an object', { toString: () => SERVER }],
    ['a boxed string', Object('..')],
    ['null', null],
    ['undefined', undefined],
    ['true', true],
    ['..', '..'],
    ['.', '.'],
    ['empty', ''],
  ])('server_id as %s is refused, nothing sent', async (_, serverId) => {
    const f = fakeFetch();
    const ecs = makeClient(f.fetch);
    const error = await rejection(
      ecs.raw.POST('/v2.1/{project_id}/servers/{server_id}/action', {
        params: { path: { project_id: PROJECT, server_id: serverId as string } },
        body: { 'os-stop': null },
      }),
    );
    expect(error).toBeInstanceOf(EcsInputError);
    expect((error as EcsInputError).field).toBe('path parameter server_id');
    expect(f.requests).toHaveLength(0);
  });

  it('a project_id given as an array is refused too', async () => {
    const f = fakeFetch();
    const error = await rejection(
      makeClient(f.fetch).raw.GET('/v2.1/{project_id}/servers/{server_id}', { params: { path: { project_id: ['..'] as unknown as string, server_id: SERVER } } }),
    );
    expect(error).toBeInstanceOf(EcsInputError);
    expect(f.requests).toHaveLength(0);
  });

  it('a valid ID is still sent, percent-encoded where needed', async () => {
    const f = fakeFetch();
    await makeClient(f.fetch).raw.POST('/v2.1/{project_id}/servers/{server_id}/action', {
      params: { path: { project_id: PROJECT, server_id: SERVER } },
      body: { 'os-stop': null },
    });
    expect(new URL(f.requests[0]!.url).pathname).toBe(`/v2.1/${PROJECT}/servers/${SERVER}/action`);
  });
});

const JOB = 'ff808082889bd9690189061140c235fe';

describe('stopServers: a server list that would stop other servers than listed, or none', () => {
  const sparse = new Array<string>(2);
  sparse[0] = SERVER;

  it.each([
    ['a string, not a list', SERVER, 'serverIds'],
    ['a boxed string', Object(SERVER), 'serverIds'],
    ['an array-like object', { 0: SERVER, length: 1 }, 'serverIds'],
    ['a Set', new Set([SERVER]), 'serverIds'],
    ['null', null, 'serverIds'],
    ['an empty list', [], 'serverIds'],
    ['1,001 servers', manyServerIds(1001), 'serverIds'],
    ['a server twice', [SERVER, SERVER], 'serverIds[1]'],
    ['a server twice, in other capitals', [SERVER, SERVER.toUpperCase()], 'serverIds[1]'],
    ['.. among them', [SERVER, '..'], 'serverIds[1]'],
    ['a path among them', [SERVER, `${SERVER}/../../v3/auth/tokens`], 'serverIds[1]'],
    ['CR/LF among them', [SERVER, `${SERVER}\r\nX-Evil: 1`], 'serverIds[1]'],
    ['a JSON fragment among them', [SERVER, `${SERVER}"},{"id":"${SERVER}`], 'serverIds[1]'],
    ['an object whose toString is a server ID', [{ toString: () => SERVER }], 'serverIds[0]'],
    ['{id} objects instead of IDs', [{ id: SERVER }], 'serverIds[0]'],
    ['null among them', [SERVER, null], 'serverIds[1]'],
    ['a hole', sparse, 'serverIds[1]'],
  ])('%s is refused, nothing sent', async (_, serverIds, field) => {
    const f = fakeFetch();
    const error = await rejection(makeClient(f.fetch).stopServers(serverIds as string[]));
    expect(error).toBeInstanceOf(EcsInputError);
    expect((error as EcsInputError).field).toBe(field);
    expect(f.requests).toHaveLength(0);
  });

  it('what was checked is what is sent: an element that changes once read is sent as it was read', async () => {
    const f = fakeFetch(() => new Response('{"job_id":"ff808082889bd9690189061140c235fe"}', { status: 200 }));
    let reads = 0;
    const shifty: string[] = [SERVER];
    Object.defineProperty(shifty, 0, { get: () => (reads++ === 0 ? SERVER : `${SERVER}/../..`) });
    await makeClient(f.fetch).stopServers(shifty);
    expect(f.bodies).toEqual([`{"os-stop":{"servers":[{"id":"${SERVER}"}]}}`]);
  });
});

describe('getJob and waitForJob: a job ID that would point the request elsewhere', () => {
  it.each([
    ['..', '..'],
    ['.', '.'],
    ['empty', ''],
    ['a / inside', `${JOB.slice(0, 16)}/${JOB.slice(17)}`],
    ['a path after it', `${JOB}/../../../v3/auth/tokens`],
    ['a query after it', `${JOB}?x=1`],
    ['a fragment after it', `${JOB}#x`],
    ['CR/LF', `${JOB}\r\nX-Evil: 1`],
    ['percent-encoded dots', '%2e%2e'],
    ['an array holding ..', ['..']],
    ['an object whose toString is a job ID', { toString: () => JOB }],
    ['null', null],
    ['a number', 42],
  ])('job ID %s is refused, nothing sent', async (_, jobId) => {
    const f = fakeFetch();
    const ecs = makeClient(f.fetch);
    for (const call of [() => ecs.getJob(jobId as string), () => ecs.waitForJob(jobId as string)]) {
      // Wrapped: here only what is sent matters (how waitForJob refuses: batch-stop.test.ts).
      const error = await rejection((async () => call())());
      expect(error).toBeInstanceOf(EcsInputError);
      expect((error as EcsInputError).field).toBe('jobId');
    }
    expect(f.requests).toHaveLength(0);
  });
});

describe('raw: the ECS paths take no parameter that would point elsewhere either', () => {
  it.each([['..'], ['.'], ['']])('job_id %j is refused, nothing sent', async (jobId) => {
    const f = fakeFetch();
    const error = await rejection(makeClient(f.fetch).raw.GET('/v1/{project_id}/jobs/{job_id}', { params: { path: { project_id: PROJECT, job_id: jobId } } }));
    expect(error).toBeInstanceOf(EcsInputError);
    expect((error as EcsInputError).field).toBe('path parameter job_id');
    expect(f.requests).toHaveLength(0);
  });

  it('a project_id of .. on the batch stop is refused, nothing sent', async () => {
    const f = fakeFetch();
    const error = await rejection(
      makeClient(f.fetch).raw.POST('/v1/{project_id}/cloudservers/action', {
        params: { path: { project_id: '..' } },
        body: { 'os-stop': { servers: [{ id: SERVER }] } },
      }),
    );
    expect(error).toBeInstanceOf(EcsInputError);
    expect(f.requests).toHaveLength(0);
  });
});

describe('findServersByName and listServers: a name or status that is not one', () => {
  it.each([
    ['empty', ''],
    ['CR/LF', 'web\r\nX-Evil: 1'],
    ['NUL', 'web\u0000'],
    ['an ANSI escape', 'web\u001b[31m'],
    ['a C1 control character', 'web\u0085'],
    ['an array', ['web']],
    ['an object', { toString: (): string => 'web' }],
  ])('name %s is refused by both, nothing sent', async (_, name) => {
    const f = fakeFetch();
    const ecs = makeClient(f.fetch);
    for (const call of [() => ecs.findServersByName(name as string), () => ecs.listServers({ name: name as string })]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(EcsInputError);
      expect((error as EcsInputError).field).toBe('name');
    }
    expect(f.requests).toHaveLength(0);
  });

  it('a name of 256 characters is refused by findServersByName, a pattern of 513 by listServers (a 255-character name escaped and anchored fits)', async () => {
    const f = fakeFetch(() => json(200, { servers: [] }));
    const ecs = makeClient(f.fetch);
    for (const call of [() => ecs.findServersByName('a'.repeat(256)), () => ecs.listServers({ name: 'a'.repeat(513) })]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(EcsInputError);
      expect((error as EcsInputError).field).toBe('name');
    }
    expect(f.requests).toHaveLength(0);
    await ecs.findServersByName('-'.repeat(255));
    expect(new URL(f.requests[0]!.url).searchParams.get('name')).toBe(`^${'\\-'.repeat(255)}$`);
  });

  it.each([['ACTIVE&all_tenants=1'], ['active'], [''], [['ACTIVE']]])('status %j is refused, nothing sent', async (status) => {
    const f = fakeFetch();
    const error = await rejection(makeClient(f.fetch).listServers({ status: status as 'ACTIVE' }));
    expect(error).toBeInstanceOf(EcsInputError);
    expect((error as EcsInputError).field).toBe('status');
    expect(f.requests).toHaveLength(0);
  });

  it.each([
    ['findServersByName', (ecs: ReturnType<typeof makeClient>) => ecs.findServersByName('web&all_tenants=1#x'), '^web&all_tenants=1#x$'],
    ['listServers', (ecs: ReturnType<typeof makeClient>) => ecs.listServers({ name: 'web&all_tenants=1#x' }), 'web&all_tenants=1#x'],
  ])("%s: a name holding '&', '=' and '#' stays one name parameter", async (_, call, sent) => {
    const f = fakeFetch(() => new Response('{"servers":[]}', { status: 200 }));
    await call(makeClient(f.fetch));
    const url = new URL(f.requests[0]!.url);
    expect([...url.searchParams.entries()]).toEqual([['name', sent]]);
    expect(url.hash).toBe('');
  });
});
