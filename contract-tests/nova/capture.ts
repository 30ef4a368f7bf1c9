/**
 * The exchanges recorded from a real Nova and kept as fixtures (captures.json): each request
 * as a real client sends it, each answer exactly as Nova gave it (credentials masked).
 */
import { randomUUID } from 'node:crypto';
import { wireExchange, type WireExchange } from '../support/exchange-check.js';
import type { RunningNova } from '../support/nova.js';

export interface Capture extends WireExchange {
  name: string;
}

interface Send {
  token?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Setup steps are sent but not kept. */
  keep?: boolean;
}

/** Servers `capture` uses from the noauth2 Nova (booted ACTIVE at start). */
export const serversNeeded = 8;

export async function captureExchanges(noauth: RunningNova, keystone: RunningNova): Promise<Capture[]> {
  const captures: Capture[] = [];
  const send = (nova: RunningNova) => async (name: string, method: string, path: string, options: Send = {}) => {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.token !== undefined) headers['X-Auth-Token'] = options.token;
    if (options.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    const request = new Request(`${nova.url}${path}`, { method, headers, ...(options.body !== undefined && { body: options.body }) });
    const response = await fetch(request.clone());
    const exchange = await wireExchange(request, response);
    if (exchange.request.headers['x-auth-token']) exchange.request.headers['x-auth-token'] = '<token>';
    if (options.keep !== false) captures.push({ name, ...exchange });
    return exchange.response;
  };
  const nova = send(noauth);
  const p = noauth.project_id;
  const member = noauth.member_token;
  const admin = noauth.admin_token;
  const [s0, s1, s2, s3, s4, s5, s6, s7] = noauth.server_ids as [string, string, string, string, string, string, string, string];
  const action = (version: string, server: string, project = p) => `/${version}/${project}/servers/${server}/action`;
  const stop = '{"os-stop": null}';

  for (const path of ['/', '/v2.1', '/v2.1/', '/v2', '/v2/']) await nova(`version document GET ${path}`, 'GET', path);

  await nova('server read before a stop', 'GET', `/v2.1/${p}/servers/${s0}`, { token: member });
  await nova('stop accepted (v2.1)', 'POST', action('v2.1', s0), { token: member, body: stop });
  await nova('stop while powering off', 'POST', action('v2.1', s0), { token: member, body: stop });
  await nova('server read during a stop', 'GET', `/v2.1/${p}/servers/${s0}`, { token: member });
  await untilShutoff(noauth, s0);
  await nova('server read after a stop', 'GET', `/v2.1/${p}/servers/${s0}`, { token: member });
  await nova('stop a stopped server', 'POST', action('v2.1', s0), { token: member, body: stop });
  await nova('stop accepted (v2)', 'POST', action('v2', s1), { token: member, body: stop });
  await nova('server read (v2)', 'GET', `/v2/${p}/servers/${s1}`, { token: member });

  await nova('lock', 'POST', action('v2.1', s2), { token: member, body: '{"lock": null}', keep: false });
  await nova('stop a locked server as its owner', 'POST', action('v2.1', s2), { token: member, body: stop });
  await nova('stop a locked server as an admin', 'POST', action('v2.1', s2), { token: admin, body: stop });

  await nova('stop a server no cell has seen', 'POST', action('v2.1', randomUUID()), { token: member, body: stop });
  await nova('delete', 'DELETE', `/v2.1/${p}/servers/${s3}`, { token: member, keep: false });
  await untilGone(noauth, s3);
  await nova('stop a deleted server', 'POST', action('v2.1', s3), { token: member, body: stop });
  await nova("stop another project's server", 'POST', action('v2.1', s4, noauth.other_project_id), { token: noauth.other_token, body: stop });
  await nova("stop under another project's URL", 'POST', action('v2.1', s4, noauth.other_project_id), { token: member, body: stop });

  await nova('malformed JSON', 'POST', action('v2.1', s4), { token: member, body: '{"os-stop": ' });
  await nova('empty object', 'POST', action('v2.1', s4), { token: member, body: '{}' });
  await nova('two actions', 'POST', action('v2.1', s4), { token: member, body: '{"os-stop": null, "os-start": null}' });
  await nova('unknown action', 'POST', action('v2.1', s4), { token: member, body: '{"os-stopp": null}' });
  await nova('application/xml', 'POST', action('v2.1', s4), { token: member, body: stop, headers: { 'Content-Type': 'application/xml' } });
  await nova('microversion 2.200', 'POST', action('v2.1', s4), { token: member, body: stop, headers: { 'OpenStack-API-Version': 'compute 2.200' } });
  await nova('malformed microversion', 'POST', action('v2.1', s4), { token: member, body: stop, headers: { 'X-OpenStack-Nova-API-Version': '2.x' } });
  await nova('microversion list, any case', 'GET', `/v2.1/${p}/servers/${s4}`, { token: member, headers: { 'OpenStack-API-Version': 'volume 3.0, Compute 2.60' } });

  await nova('text/plain body, accepted', 'POST', action('v2.1', s5), { token: member, body: stop, headers: { 'Content-Type': 'text/plain' } });
  await nova('lower-case type, accepted', 'POST', action('v2.1', s6), { token: member, body: '{"os-stop": {"type": "soft"}}' });
  await nova('unknown key, accepted', 'POST', action('v2.1', s7), { token: member, body: '{"os-stop": {"foo": 1}}' });
  await nova('a string, accepted', 'POST', action('v2.1', s4), { token: member, body: '{"os-stop": "yes"}' });

  const ks = send(keystone);
  const kp = keystone.project_id;
  await ks('keystone: no token', 'POST', action('v2.1', keystone.server_id, kp), { body: stop });
  await ks('keystone: unknown token', 'POST', action('v2.1', keystone.server_id, kp), { token: 'not-a-valid-token', body: stop });
  await ks('keystone: stop accepted', 'POST', action('v2.1', keystone.server_id, kp), { token: keystone.member_token, body: stop });
  return captures;
}

async function read(nova: RunningNova, server: string): Promise<Response> {
  return fetch(`${nova.url}/v2.1/${nova.project_id}/servers/${server}`, { headers: { 'X-Auth-Token': nova.member_token } });
}

async function until(what: string, done: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const untilShutoff = (nova: RunningNova, server: string) =>
  until(`server ${server} was not SHUTOFF`, async () => ((await (await read(nova, server)).json()) as { server: { status: string } }).server.status === 'SHUTOFF');

const untilGone = (nova: RunningNova, server: string) =>
  until(`server ${server} was not deleted`, async () => (await read(nova, server)).status === 404);
