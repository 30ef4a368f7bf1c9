// The contenders: each sends the same stop request (POST /v2.1/{project}/servers/{server}/action,
// body {"os-stop":{"type":"SOFT"}}, JSON content type, X-Project-Id, a User-Agent, and a token
// or an AK/SK signature) to the loopback server and waits for its 202.
import { fork } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
const here = path.dirname(fileURLToPath(import.meta.url));
const distNode = path.join(here, '..', 'dist', 'node.js');

/**
 * The package's own node:http transport, `nodeTransport` from dist/node.js (the subpath
 * `huaweicloud-ecs-stop/node`), when that file exists and exports it; otherwise `{ reason }`.
 */
export async function loadNodeTransport() {
  if (!existsSync(distNode)) return { reason: 'dist/node.js does not exist' };
  try {
    const mod = await import(pathToFileURL(distNode).href);
    if (typeof mod.nodeTransport !== 'function') return { reason: 'dist/node.js does not export a function nodeTransport' };
    return { nodeTransport: mod.nodeTransport };
  } catch (error) {
    return { reason: `dist/node.js did not load: ${error.message}` };
  }
}

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
 * @param {{ nodeTransport?: () => unknown, reason?: string }} [node_] what loadNodeTransport() found
 * @returns {{ id: string, name: string, call: () => Promise<unknown>, close?: () => void }[]}
 */
export function createContenders(port, sdk, node_ = {}) {
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
  const ours = (auth, extra) => createEcsClient({ endpoint: origin, projectId: PROJECT_ID, auth, ...extra });
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

  // (5) and (5s): ours over node:http. The package's nodeTransport() as the `transport` option
  // when dist/node.js has it (see loadNodeTransport), else the prototype as the `fetch` option.
  const node = nodeVariant(origin, ours, node_);
  list.push({ id: '5', name: `ours + ${node.label}, token`, call: () => node.token.stopServer(SERVER_ID, { type: 'SOFT' }).then(expect202) });
  list.push({ id: '5s', name: `ours + ${node.label}, AK/SK`, call: () => node.aksk.stopServer(SERVER_ID, { type: 'SOFT' }).then(expect202) });
  list.node = node;

  return list;
}

/**
 * Clients for (5) and (5s): over `nodeTransport()` when it is there and createEcsClient takes it
 * as `transport`, else over the prototype given as `fetch`. Which one, and why, is in the result
 * (`kind`, `label`, `reason`); `check()` proves the chosen clients do not call the global fetch.
 */
function nodeVariant(origin, ours, { nodeTransport, reason }) {
  if (nodeTransport) {
    try {
      return {
        kind: 'nodeTransport',
        label: 'nodeTransport() (dist/node.js) as `transport`',
        token: ours(tokenAuth(TOKEN), { transport: nodeTransport() }),
        aksk: ours(akskAuth({ ak: AK, sk: SK }), { transport: nodeTransport() }),
      };
    } catch (error) {
      reason = `createEcsClient refused nodeTransport() as its transport option: ${error.message}`;
    }
  }
  const nodeFetch = createNodeFetch();
  return {
    kind: 'prototype',
    label: 'node:http prototype (bench/node-transport.mjs) as `fetch`',
    reason,
    token: ours(tokenAuth(TOKEN), { fetch: nodeFetch }),
    aksk: ours(akskAuth({ ak: AK, sk: SK }), { fetch: nodeFetch }),
  };
}

/**
 * One call of each of (5) and (5s) with the global fetch replaced by one that throws: a client
 * that still reaches the server sends without fetch. Returns undefined, or what went wrong.
 */
export async function checkNodeVariant(node) {
  const saved = globalThis.fetch;
  globalThis.fetch = () => Promise.reject(new Error('the global fetch was called'));
  try {
    for (const client of [node.token, node.aksk]) {
      const result = await client.stopServer(SERVER_ID, { type: 'SOFT' });
      if (result.status !== 202) return `status ${result.status}`;
    }
    return undefined;
  } catch (error) {
    return error.message;
  } finally {
    globalThis.fetch = saved;
  }
}

/**
 * Contender `id` in a process of its own (contender-process.mjs). Resolves once it has made
 * `warmup` unmeasured calls, with
 * its name, which node:http transport it uses ((5), (5s)), `batch({ mode, n, c, warmup })` that
 * runs one batch there and resolves with its figures, `stats()` (its heap after a full GC before
 * and after the batches, and the calls between) and `close()`. Rejects if it cannot start.
 */
export function startContender(port, id, warmup = 200) {
  const child = fork(path.join(here, 'contender-process.mjs'), [String(port), id, String(warmup)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  process.once('exit', () => child.kill());
  let pending;
  const fail = (error) => {
    const p = pending;
    pending = undefined;
    p?.reject(error);
  };
  child.on('exit', (code) => fail(new Error(`contender (${id}) exited (${code})`)));
  child.on('error', fail);
  return new Promise((resolve, reject) => {
    pending = { reject };
    child.on('message', (message) => {
      if (message.error) return fail(new Error(`contender (${id}): ${message.error}`));
      if (message.ready) {
        pending = undefined;
        return resolve({
          id,
          name: message.name,
          node: message.node,
          batch: (spec) =>
            new Promise((res, rej) => {
              pending = { resolve: res, reject: rej };
              child.send({ batch: spec });
            }),
          stats: () =>
            new Promise((res, rej) => {
              pending = { resolve: res, reject: rej };
              child.send({ stats: true });
            }),
          close: () => {
            child.removeAllListeners('exit');
            if (child.connected) child.send({ exit: true });
          },
        });
      }
      if (message.result || message.stats) {
        const p = pending;
        pending = undefined;
        p?.resolve(message.stats ?? { ...message.result, latencies: Float64Array.from(message.result.latencies) });
      }
    });
  });
}
