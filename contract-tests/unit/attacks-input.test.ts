/**
 * Attacks on "bad input never leaves the machine" through the raw client, which JavaScript
 * callers can reach without TypeScript's checks: each row a path parameter that would send an
 * authenticated request elsewhere, refused before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { EcsInputError } from '../../src/index.js';
import { fakeFetch, makeClient, PROJECT, rejection, SERVER } from '../support/fixtures.js';

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
