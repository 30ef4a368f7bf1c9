/**
 * Finding servers by name against a real Nova: `findServersByName` asks with the name anchored
 * and escaped as a regular expression (Nova matches `name` anywhere, as a pattern) and keeps exact
 * matches, so a unique name gives its server, a shared name both, a missing one none, and a name
 * with pattern characters only itself (`web.01` is not `webx01`). Every list exchange fits both
 * profiles of the contract, its body the spec's ServerListResponse. And the stop over
 * nodeTransport() (node:http), as the real Nova answers it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEcsClient, EcsApiError, tokenAuth } from '../../src/index.js';
import { nodeTransport } from '../../src/node.js';
import { contractFor } from '../support/contract.js';
import { checkExchange, wireExchange, type WireExchange } from '../support/exchange-check.js';
import { novaMissing, startNova, type RunningNova } from '../support/nova.js';

const missing = novaMissing();

/** The servers booted, in this order, by name: two share one, and three differ only where a pattern would not care. */
const names = ['web-01', 'twin', 'twin', 'web.01', 'webx01', 'job (1)+[a]{2}|b?*^$\\'] as const;

describe.runIf(!missing || process.env.CI)('finding servers by name on a real Nova', () => {
  let nova: RunningNova;
  let byName: (name: (typeof names)[number]) => string[];
  let exchanges: WireExchange[] = [];

  beforeAll(async () => {
    if (missing) throw new Error(`${missing}; .ci/run must install Nova`);
    nova = await startNova({ auth: 'noauth2', names: [...names] });
    byName = (name) => names.flatMap((n, i) => (n === name ? [nova.server_ids[i]!] : []));
  }, 300_000);
  afterAll(() => nova?.stop(), 30_000);

  beforeEach(() => {
    exchanges = [];
  });

  const client = (novaVersion: 'v2' | 'v2.1' = 'v2.1') =>
    createEcsClient({
      endpoint: nova.url,
      projectId: nova.project_id,
      auth: tokenAuth(nova.member_token),
      novaVersion,
      retry: false,
      fetch: async (request: Request) => {
        const sent = request.clone();
        const response = await fetch(request);
        exchanges.push(await wireExchange(sent, response));
        return response;
      },
    });

  /** Each exchange fits both profiles; each list answered 200 is a ServerListResponse. */
  async function expectExchangesFitTheContract() {
    expect(exchanges.length).toBeGreaterThan(0);
    for (const profile of ['huawei', 'upstream-nova'] as const) {
      const contract = await contractFor(profile);
      expect(exchanges.flatMap((exchange) => checkExchange(contract, exchange).problems), profile).toEqual([]);
      const validate = contract.componentValidator('ServerListResponse');
      for (const { request, response } of exchanges) {
        if (response.status !== 200 || !/\/servers\?/.test(request.path)) continue;
        expect(validate(JSON.parse(response.body)), `${request.path}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  }

  it.each(['v2', 'v2.1'] as const)('finds a unique name, both servers of a shared one, none of a missing one (%s)', async (novaVersion) => {
    const ecs = client(novaVersion);
    expect((await ecs.findServersByName('web-01')).map((s) => s.id)).toEqual(byName('web-01'));
    const twins = await ecs.findServersByName('twin');
    expect(twins.map((s) => s.id).sort()).toEqual(byName('twin').sort());
    expect(twins.every((s) => s.name === 'twin')).toBe(true);
    expect(await ecs.findServersByName('no-such-server')).toEqual([]);
    // Part of a name is no match: Nova would have found `web-01`, `web.01` and `webx01` for `web`.
    expect(await ecs.findServersByName('web')).toEqual([]);
    expect(exchanges.every((e) => e.request.path.includes('?name=%5E'))).toBe(true);
    await expectExchangesFitTheContract();
  });

  it('matches a name with regular-expression characters exactly: web.01 is not webx01', async () => {
    const ecs = client();
    expect((await ecs.findServersByName('web.01')).map((s) => s.id)).toEqual(byName('web.01'));
    expect((await ecs.findServersByName('webx01')).map((s) => s.id)).toEqual(byName('webx01'));
    const odd = names[5];
    expect((await ecs.findServersByName(odd)).map((s) => s.id)).toEqual(byName(odd));
    // What Nova does with the bare pattern: `.` matches any character, anywhere in the name.
    const loose = await ecs.listServers({ name: 'web.01' });
    expect(loose.map((s) => s.id).sort()).toEqual([...byName('web-01'), ...byName('web.01'), ...byName('webx01')].sort());
    await expectExchangesFitTheContract();
  });

  it("answers an invalid pattern with 400 badRequest, and filters by status", async () => {
    const ecs = client();
    const error = await ecs.listServers({ name: '(' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toMatchObject({ status: 400, kind: 'badRequest' });
    expect((await ecs.listServers({ status: 'ACTIVE' })).map((s) => s.id).sort()).toEqual([...nova.server_ids].sort());
    expect(await ecs.listServers({ status: 'SHUTOFF' })).toEqual([]);
    const [stopped] = byName('webx01');
    await ecs.stopServer(stopped!, { wait: { timeoutMs: 120_000, intervalMs: 200 } });
    expect((await ecs.listServers({ status: 'SHUTOFF' })).map((s) => s.id)).toEqual([stopped]);
    expect((await ecs.listServers({ name: 'web', status: 'ACTIVE' })).map((s) => s.id).sort()).toEqual([...byName('web-01'), ...byName('web.01')].sort());
    await expectExchangesFitTheContract();
  }, 180_000);

  it('over nodeTransport(): stops a server, waits until SHUTOFF, and takes the 409 of a second stop as already stopped', async () => {
    const ecs = createEcsClient({ endpoint: nova.url, projectId: nova.project_id, auth: tokenAuth(nova.member_token), retry: false, transport: nodeTransport() });
    const [target] = byName('twin');
    expect(await ecs.getServer(target!)).toMatchObject({ id: target, status: 'ACTIVE' });
    const stopped = await ecs.stopServer(target!, { type: 'SOFT', wait: { timeoutMs: 120_000, intervalMs: 200 } });
    expect(stopped).toMatchObject({ status: 202, alreadyStopped: false, server: { id: target, status: 'SHUTOFF' } });
    expect(stopped.requestId).toMatch(/^req-/);
    expect(await ecs.stopServer(target!, { ifAlreadyStopped: 'ok' })).toMatchObject({ status: 409, alreadyStopped: true });
    const error = await ecs.stopServer(target!).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, kind: 'conflictingRequest' });
  }, 180_000);
});
