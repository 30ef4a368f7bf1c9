/**
 * How a real endpoint's exchange is judged (endpoint mode, real-Nova captures): breaches are
 * problems, a server more lenient than the contract only a note.
 */
import { describe, expect, it } from 'vitest';
import { checkExchange, type WireExchange } from '../support/exchange-check.js';
import { contract, validProjectId, validServerId } from '../support/spec.js';

const action = `/v2.1/${validProjectId}/servers/${validServerId}/action`;
const json = { 'content-type': 'application/json' };
const nova404 = JSON.stringify({ itemNotFound: { code: 404, message: 'Instance x could not be found.' } });

function exchange(response: Partial<WireExchange['response']>, request: Partial<WireExchange['request']> = {}): WireExchange {
  return {
    request: { method: 'POST', path: action, headers: { ...json, 'x-auth-token': 't' }, body: '{"os-stop": null}', ...request },
    response: { status: 202, headers: {}, body: '', ...response },
  };
}

describe('judging an exchange', () => {
  it.each([
    ['a 202 with no body, even labelled application/json (Nova)', exchange({ headers: { ...json, 'content-length': '0' } })],
    ['a 404 in the Nova shape', exchange({ status: 404, body: nova404 })],
    ['an undeclared error status in a declared shape (default)', exchange({ status: 405, body: JSON.stringify({ badMethod: { code: 405, message: 'no' } }) })],
    ["keystonemiddleware's 401", exchange({ status: 401, headers: { 'www-authenticate': 'Keystone uri="http://127.0.0.1:5000/v3"' }, body: '{"error": {"code": 401, "title": "Unauthorized", "message": "m"}}' })],
    ['a refused body refused with 400', exchange({ status: 400, body: '{"badRequest": {"code": 400, "message": "m"}}' }, { body: '{"os-stop": "yes"}' })],
    ['a version document at /v2.1/', exchange({ status: 200, body: JSON.stringify({ version: { id: 'v2.1', status: 'CURRENT', version: '2.93', min_version: '2.1', updated: '2013-07-23T11:33:21Z', links: [] } }) }, { method: 'GET', path: '/v2.1/', body: undefined })],
  ])('%s: no problem, no note', (_, ex) => {
    expect(checkExchange(contract, ex)).toMatchObject({ problems: [], notes: [] });
  });

  it.each([
    ['a 202 with a body', exchange({ body: '{"accepted": true}' }), /declares no body, but one came/],
    ['an undeclared success status', exchange({ status: 200 }), /status 200 is not declared by stopServerV21/],
    ['a 404 in no documented shape', exchange({ status: 404, body: '{"message": "not found"}' }), /404: body does not match the contract/],
    ['an error body that is not JSON', exchange({ status: 500, body: '<html>oops</html>' }), /body is not JSON/],
    ['a declared header with a bad value', exchange({ headers: { 'x-openstack-request-id': 'nope' } }), /header X-OpenStack-Request-Id: "nope"/],
    ['a path the contract does not have', exchange({}, { path: `/v2.1/${validProjectId}/servers` }), /no operation of the contract matches/],
  ])('%s is a problem', (_, ex, says) => {
    const verdict = checkExchange(contract, ex);
    expect(verdict.problems).toEqual([expect.stringMatching(says)]);
  });

  it.each([
    ['a lower-case type accepted', '{"os-stop": {"type": "soft"}}', {}, 202, /accepted a request outside the contract \(body .* fails/],
    ['a refused body answered 404 (server looked up first)', '{"os-stop": "yes"}', {}, 404, /answered 404, not a refusal/],
    ['text/plain accepted', '{"os-stop": null}', { 'content-type': 'text/plain' }, 202, /outside the contract \(Content-Type "text\/plain"\)/],
    ['a malformed microversion header accepted', '{"os-stop": null}', { 'x-openstack-nova-api-version': '2.x' }, 202, /header parameter X-OpenStack-Nova-API-Version is "2.x"/],
  ])('%s is a note, not a problem', (_, body, headers, status, says) => {
    const verdict = checkExchange(contract, exchange({ status, body: status === 404 ? nova404 : '' }, { body, headers: { ...json, ...headers } }));
    expect(verdict.problems).toEqual([]);
    expect(verdict.notes).toEqual([expect.stringMatching(says)]);
  });

  it('still holds an answer to a request outside the contract to its declared shape', () => {
    const verdict = checkExchange(contract, exchange({ status: 404, body: '{"message": "nope"}' }, { body: '{"os-stop": "yes"}' }));
    expect(verdict.problems).toEqual([expect.stringMatching(/body does not match the contract/)]);
  });
});
