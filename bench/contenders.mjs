// The contenders: each sends the same stop request (POST /v2.1/{project}/servers/{server}/action,
// body {"os-stop":{"type":"SOFT"}}, JSON content type, X-Project-Id, a User-Agent, and a token
// or an AK/SK signature) to the loopback server and waits for its 202.
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createEcsClient, tokenAuth, akskAuth } from '../dist/index.js';
import { createNodeFetch } from './node-transport.mjs';

export const PROJECT_ID = '0123456789abcdef0123456789abcdef';
export const SERVER_ID = '4d8c3732-a248-40ed-bebc-539a6ffd25c0';
// An IAM token is a few kB in real life; its length costs every token contender alike.
export const TOKEN = `MIIbench${'A'.repeat(248)}`;
export const AK = 'BENCHAKEXAMPLE000001';
export const SK = 'benchSecretKeyExample0000000000000000000';
export const USER_AGENT = 'huaweicloud-ecs-stop/0.1.0';
export const BODY_OBJECT = { 'os-stop': { type: 'SOFT' } };
export const BODY = JSON.stringify(BODY_OBJECT);
export const PATH = `/v2.1/${PROJECT_ID}/servers/${SERVER_ID}/action`;

const require = createRequire(import.meta.url);

/** The official SDK, loaded lazily (CommonJS). `null` with the reason when it cannot load. */
export function loadSdk() {
  try {
    const core = require('@huaweicloud/huaweicloud-sdk-core');
    const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');
    const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner');
    const version = require('@huaweicloud/huaweicloud-sdk-core/package.json').version;
    return { core, ClientBuilder, AKSKSigner, version, error: null };
  } catch (error) {
    return { error };
  }
}

let sdkHome;
/**
 * The SDK's ClientBuilder writes an "application id" file under ~/.huaweicloud when it builds
 * a client (DefaultUserAgent.js). Point HOME at a temporary folder for that moment so a
 * benchmark leaves nothing in the user's home.
 */
function withTemporaryHome(fn) {
  if (sdkHome === undefined) {
    const dir = (sdkHome = mkdtempSync(path.join(os.tmpdir(), 'ecs-bench-home-')));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const saved = process.env.HOME;
  process.env.HOME = sdkHome;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.HOME;
    else process.env.HOME = saved;
  }
}

export function sdkHcClient(sdk, origin) {
  const credentials = new sdk.core.BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT_ID);
  return withTemporaryHome(() =>
    new sdk.ClientBuilder((hcClient) => hcClient).withCredential(credentials).withEndpoint(origin).build(),
  );
}

/** The options object the SDK's generated ParamCreater builds for an action call. */
export function sdkStopOptions() {
  return {
    method: 'POST',
    url: '/v2.1/{project_id}/servers/{server_id}/action',
    contentType: 'application/json',
    queryParams: {},
    pathParams: { server_id: SERVER_ID },
    headers: {},
    data: { 'os-stop': { type: 'SOFT' } },
  };
}

/** http.request over a keep-alive agent, the response read to its end: the floor. */
export function createFloor(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const headers = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(BODY)),
    'X-Auth-Token': TOKEN,
    'X-Project-Id': PROJECT_ID,
    'User-Agent': USER_AGENT,
  };
  return {
    call: () => new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: PATH, method: 'POST', headers, agent }, (res) => {
        if (res.statusCode !== 202) reject(new Error(`status ${res.statusCode}`));
        res.on('end', resolve);
        res.on('error', reject);
        res.resume();
      });
      req.on('error', reject);
      req.end(BODY);
    }),
    close: () => agent.destroy(),
  };
}

/**
 * @param {number} port
 * @returns {{ id: string, name: string, call: () => Promise<unknown>, close?: () => void }[]}
 */
export function createContenders(port, sdk) {
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}${PATH}`;
  const list = [];

  // (0) the floor: http.request over a keep-alive agent, the response read to its end.
  list.push({ id: '0', name: 'http.request, keep-alive agent (floor)', ...createFloor(port) });

  // (1) raw fetch, request built by hand.
  list.push({
    id: '1', name: 'raw fetch, token',
    call: async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': TOKEN, 'X-Project-Id': PROJECT_ID, 'User-Agent': USER_AGENT },
        body: BODY,
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`status ${res.status}`);
    },
  });

  // (2) and (3): ours, through the public API, default options (timeout, retries, body limit on).
  const ours = (auth, fetchImpl) =>
    createEcsClient({ endpoint: origin, projectId: PROJECT_ID, auth, ...(fetchImpl && { fetch: fetchImpl }) });
  const ecsToken = ours(tokenAuth(TOKEN));
  const ecsAksk = ours(akskAuth({ ak: AK, sk: SK }));
  const expect202 = (result) => {
    if (result.status !== 202) throw new Error(`status ${result.status}`);
  };
  list.push({ id: '2', name: 'ours, stopServer, token', call: () => ecsToken.stopServer(SERVER_ID, { type: 'SOFT' }).then(expect202) });
  list.push({ id: '3', name: 'ours, stopServer, AK/SK', call: () => ecsAksk.stopServer(SERVER_ID, { type: 'SOFT' }).then(expect202) });

  // (4) the official SDK's own transport: HcClient.sendRequest, BasicCredentials (AK/SK only).
  if (sdk && !sdk.error) {
    const hcClient = sdkHcClient(sdk, origin);
    list.push({
      id: '4', name: `Huawei SDK ${sdk.version}, sendRequest, AK/SK`,
      call: async () => {
        const result = await hcClient.sendRequest(sdkStopOptions());
        if (result.httpStatusCode !== 202) throw new Error(`status ${result.httpStatusCode}`);
      },
    });
  }

  // (5) ours over the node:http prototype transport (bench/node-transport.mjs).
  const nodeFetch = createNodeFetch();
  const ecsNodeToken = ours(tokenAuth(TOKEN), nodeFetch);
  const ecsNodeAksk = ours(akskAuth({ ak: AK, sk: SK }), nodeFetch);
  list.push({ id: '5', name: 'ours + node:http transport (prototype), token', call: () => ecsNodeToken.stopServer(SERVER_ID, { type: 'SOFT' }).then(expect202) });
  list.push({ id: '5s', name: 'ours + node:http transport (prototype), AK/SK', call: () => ecsNodeAksk.stopServer(SERVER_ID, { type: 'SOFT' }).then(expect202) });

  return list;
}
