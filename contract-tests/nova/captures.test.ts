/**
 * Records the exchanges of capture.ts from a real Nova again and holds them to the committed
 * fixtures (captures.json): same status and same fault key, exchange by exchange, and each one
 * fits the contract. `NOVA_RECORD=1 npm run contract:nova` rewrites the fixtures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractFor } from '../support/contract.js';
import { checkExchange } from '../support/exchange-check.js';
import { novaMissing, startNova, type RunningNova } from '../support/nova.js';
import { captureExchanges, serversNeeded, type Capture } from './capture.js';
import { faultKey } from './fault-key.js';

const fixtureFile = new URL('./captures.json', import.meta.url);
const missing = novaMissing();

describe.runIf(!missing || process.env.CI)('exchanges with a real Nova', () => {
  const running: RunningNova[] = [];
  let live: Capture[];
  beforeAll(async () => {
    if (missing) throw new Error(`${missing}; .ci/run must install Nova`);
    const started = await Promise.allSettled([startNova({ auth: 'noauth2', servers: serversNeeded }), startNova({ auth: 'keystone', servers: 1 })]);
    for (const result of started) if (result.status === 'fulfilled') running.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    live = await captureExchanges(running[0]!, running[1]!);
    if (process.env.NOVA_RECORD === '1') writeFileSync(fixtureFile, `${JSON.stringify(live, null, 2)}\n`);
  }, 600_000);
  afterAll(() => Promise.all(running.map((nova) => nova.stop())), 30_000);

  it('are the recorded ones, with the same status and fault key', () => {
    const recorded = JSON.parse(readFileSync(fixtureFile, 'utf8')) as Capture[];
    const summary = (captures: Capture[]) => captures.map((c) => `${c.name}: ${c.response.status} ${faultKey(c.response.body)}`);
    expect(summary(live)).toEqual(summary(recorded));
  });

  it.each(['huawei', 'upstream-nova'] as const)('each fit the %s contract', async (profile) => {
    const contract = await contractFor(profile);
    const problems = live.flatMap((capture) => checkExchange(contract, capture).problems.map((p) => `${capture.name}: ${p}`));
    expect(problems).toEqual([]);
  });
});
