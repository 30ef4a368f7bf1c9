/**
 * The exchanges recorded from a real Nova (contract-tests/nova/captures.json, kept true by the
 * nova project's captures test) each fit the contract: Huawei's document, where Nova's lenient
 * answers are notes, and the upstream-Nova profile, which describes them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Capture } from '../nova/capture.js';
import { contractFor } from '../support/contract.js';
import { checkExchange } from '../support/exchange-check.js';

const captures = JSON.parse(readFileSync(new URL('../nova/captures.json', import.meta.url), 'utf8')) as Capture[];
const huawei = await contractFor('huawei');
const nova = await contractFor('upstream-nova');

describe('every exchange recorded from a real Nova', () => {
  it.each(captures.map((capture) => [capture.name, capture] as const))('%s fits both contracts', (_, capture) => {
    expect(checkExchange(huawei, capture).problems).toEqual([]);
    expect(checkExchange(nova, capture).problems).toEqual([]);
  });

  it("is inside Huawei's contract but for the bodies and media type Nova is lenient about", () => {
    const outside = (contract: typeof huawei) => captures.filter((c) => checkExchange(contract, c).notes.length > 0).map((c) => c.name);
    expect(outside(huawei)).toEqual(['text/plain body, accepted', 'lower-case type, accepted', 'unknown key, accepted', 'a string, accepted']);
    expect(outside(nova)).toEqual(['text/plain body, accepted']);
  });

  it('covers what the contract promises of Nova', () => {
    const seen = new Set(captures.map((c) => `${c.request.method} ${c.response.status}`));
    for (const pair of ['GET 200', 'POST 202', 'POST 400', 'POST 401', 'POST 404', 'POST 406', 'POST 409', 'POST 415']) expect(seen).toContain(pair);
  });
});
