/**
 * OpenStack's own clients, and Huawei's, against the mock of our spec, unchanged: their requests
 * as they put them on the wire (facts.md section 6: header names in their own case, an empty
 * `Accept:`, `null` bodies with and without a space, either microversion header), replayed
 * byte for byte with node:http, which keeps header names as written.
 */
import { request } from 'node:http';
import { describe, expect, inject, it } from 'vitest';
import { recordExchange } from '../support/exchanges.js';
import { validProjectId as project, validServerId as server } from '../support/spec.js';

const mockUrl = new URL(inject('targetUrl'));

interface Captured {
  method: 'GET' | 'POST';
  path: string;
  headers: [string, string][];
  body?: string;
}

const token = ['X-Auth-Token', 'gAAAAABnK-replayed-keystone-token'] as [string, string];

const replays: Record<string, Captured[]> = {
  'openstack server stop (python-openstackclient, novaclient)': [
    {
      method: 'GET',
      path: `/v2.1/${project}/servers/${server}`,
      headers: [['User-Agent', 'python-novaclient'], ['Accept', 'application/json'], token, ['X-OpenStack-Nova-API-Version', '2.1']],
    },
    {
      method: 'POST',
      path: `/v2.1/${project}/servers/${server}/action`,
      headers: [['User-Agent', 'python-novaclient'], ['Content-Type', 'application/json'], ['Accept', 'application/json'], token, ['X-OpenStack-Nova-API-Version', '2.1']],
      body: '{"os-stop": null}',
    },
  ],
  'openstacksdk conn.compute.stop_server': [
    {
      method: 'POST',
      path: `/v2.1/${project}/servers/${server}/action`,
      headers: [['User-Agent', 'openstacksdk/4.1.0 keystoneauth1/5.8.0 python-requests/2.32.3 CPython/3.12.7'], ['Accept', ''], ['Content-Type', 'application/json'], token],
      body: '{"os-stop": null}',
    },
  ],
  'openstacksdk with a pinned microversion': [
    { method: 'GET', path: '/v2.1', headers: [['User-Agent', 'openstacksdk/4.1.0'], ['Accept', 'application/json']] },
    {
      method: 'POST',
      path: `/v2.1/${project}/servers/${server}/action`,
      headers: [['User-Agent', 'openstacksdk/4.1.0'], ['Accept', ''], ['Content-Type', 'application/json'], token, ['OpenStack-API-Version', 'compute 2.60'], ['X-OpenStack-Nova-API-Version', '2.60']],
      body: '{"os-stop": null}',
    },
  ],
  'gophercloud startstop.Stop': [
    {
      method: 'POST',
      path: `/v2.1/${project}/servers/${server}/action`,
      headers: [['User-Agent', 'gophercloud/v2.4.0'], ['Accept', 'application/json'], ['Content-Type', 'application/json'], ['X-Auth-Token', token[1]], ['X-Openstack-Nova-Api-Version', '2.1']],
      body: '{"os-stop":null}',
    },
  ],
  "Huawei's golangsdk (v2)": [
    {
      method: 'POST',
      path: `/v2/${project}/servers/${server}/action`,
      headers: [['User-Agent', 'golangsdk/2.0.0'], ['Accept', 'application/json'], ['Content-Type', 'application/json'], ['X-Auth-Token', token[1]]],
      body: '{"os-stop":null}',
    },
  ],
  "Huawei's official SDK signing (AK/SK)": [
    {
      method: 'POST',
      path: `/v2.1/${project}/servers/${server}/action`,
      headers: [
        ['User-Agent', 'huaweicloud-usdk-nodejs/3.0'],
        ['Content-Type', 'application/json'],
        ['X-Project-Id', project],
        ['X-Sdk-Date', '20261126T032043Z'],
        ['Authorization', 'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe'],
      ],
      body: '{"os-stop":{}}',
    },
  ],
};

function replay(captured: Captured): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: mockUrl.hostname, port: mockUrl.port, method: captured.method, path: captured.path });
    req.setHeader('Host', mockUrl.host);
    for (const [name, value] of captured.headers) req.setHeader(name, value);
    if (captured.body !== undefined) req.setHeader('Content-Length', Buffer.byteLength(captured.body));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(captured.body);
  });
}

describe.each(Object.entries(replays))('%s', (_, requests) => {
  it.each(requests.map((r) => [`${r.method} ${r.path.replace(project, '{p}').replace(server, '{s}')}`, r] as const))(
    'gets 2xx for %s',
    async (_, captured) => {
      const { status, body } = await replay(captured);
      recordExchange({ method: captured.method, path: captured.path, status });
      expect(status, body).toBeGreaterThanOrEqual(200);
      expect(status, body).toBeLessThan(300);
      if (captured.method === 'GET' && captured.path.includes('/servers/')) {
        // The openstack CLI needs a server object back before it sends the stop.
        expect(JSON.parse(body).server).toMatchObject({ id: server, status: 'ACTIVE' });
      }
    },
  );
});
