// Where a call's time goes. Three views:
//  1. layers with a stub fetch (no network): each variant adds one layer, so the differences are
//     the CPU each layer costs per call;
//  2. the same layers against the loopback server, token auth, alternating rounds. In both, our
//     layers get the fetch in use as their `fetch` option, so our transport hands it a Request;
//     without that option (contenders (2) and (3)) it calls the global fetch(url, init) instead;
//  3. a V8 CPU profile (node:inspector, 500 µs sampling) of stopServer calls in a child process, its samples
//     grouped by where the code lives, plus the inclusive share of a few named functions.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import createClient from 'openapi-fetch';
import { createEcsClient, tokenAuth, akskAuth } from '../dist/index.js';
import { TOKEN, AK, SK, PROJECT_ID, SERVER_ID, USER_AGENT, BODY, PATH, createFloor } from './contenders.mjs';
import { createNodeFetch } from './node-transport.mjs';
import { alternate, asMiddleware, sequential, summarise, roundRatio } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Our attempt loop over our fetch transport, as a fetch-shaped function (a Request in, a Response out). */
async function loadTransport() {
  try {
    const [{ fetchTransport }, { withAttempts }, { retryPolicy }, { plainRequest, webResponseOf }] = await Promise.all([
      import('../dist/transport/fetch-transport.js'),
      import('../dist/transport/attempts.js'),
      import('../dist/transport/retry-policy.js'),
      import('../dist/transport/web.js'),
    ]);
    return (options) => {
      const retry = retryPolicy({ retries: options.retries, baseDelayMs: options.baseDelayMs, maxDelayMs: options.maxDelayMs });
      const send = withAttempts({ transport: fetchTransport(options.fetch), timeoutMs: options.timeoutMs, retry, maxResponseBytes: options.maxResponseBytes });
      return async (request) => webResponseOf(await send(await plainRequest(request), request.signal));
    };
  } catch {
    return undefined;
  }
}

const OP = '/v2.1/{project_id}/servers/{server_id}/action';
const opInit = () => ({
  params: { path: { project_id: PROJECT_ID, server_id: SERVER_ID } },
  body: { 'os-stop': { type: 'SOFT' } },
  parseAs: 'stream',
});

/**
 * The variants, each one layer more than the one before, over `fetchImpl` (real or stub), which
 * our layers get as their `fetch` option: an injected fetch, for which the transport builds a Request.
 */
async function layerVariants(origin, fetchImpl, { withNodeTransport = false, port } = {}) {
  const createTransport = await loadTransport();
  const url = `${origin}${PATH}`;
  const baseHeaders = { 'X-Project-Id': PROJECT_ID, 'User-Agent': USER_AGENT };
  const consume = async (r) => {
    await r.data?.cancel();
    if (r.response.status !== 202) throw new Error(`status ${r.response.status}`);
  };
  const list = [];
  if (port !== undefined) {
    // What one Request object costs in place: the floor, then the floor with a Request built
    // (and never used) before each call, then one that also follows an AbortController's signal,
    // as the Request built from the transport's init (fetch's own, or ours for an injected fetch) does.
    const floor = createFloor(port);
    const init = () => ({ method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': TOKEN, ...baseHeaders }, body: BODY });
    list.push({ id: 'floor', name: 'http.request floor, as contender (0)', call: floor.call });
    list.push({ id: 'floorReq', name: 'floor + one unused `new Request(url, init)` per call', call: () => (new Request(url, init()), floor.call()) });
    list.push({ id: 'floorReqSig', name: 'floor + one unused Request with an AbortController signal', call: () => (new Request(url, { ...init(), signal: new AbortController().signal }), floor.call()) });
  }
  if (withNodeTransport) {
    list.push({
      id: 'fetchUrl', name: 'raw fetch(url, init), as contender (1)',
      call: async () => {
        const res = await fetchImpl(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': TOKEN, ...baseHeaders }, body: BODY });
        await res.arrayBuffer();
      },
    });
  }
  list.push({
    id: 'fetch', name: 'fetch(new Request(url, init)): the same request handed over as a Request',
    call: async () => {
      const res = await fetchImpl(new Request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': TOKEN, ...baseHeaders }, body: BODY }));
      await res.body?.cancel();
    },
  });
  const bare = createClient({ baseUrl: origin, fetch: fetchImpl, headers: { ...baseHeaders, 'X-Auth-Token': TOKEN } });
  list.push({ id: 'of', name: '+ openapi-fetch (URL, headers, JSON body, response handling)', call: () => bare.POST(OP, opInit()).then(consume) });
  const withMw = createClient({ baseUrl: origin, fetch: fetchImpl, headers: baseHeaders });
  withMw.use(asMiddleware(tokenAuth(TOKEN)));
  list.push({ id: 'mw', name: '+ token auth, as middleware', call: () => withMw.POST(OP, opInit()).then(consume) });
  if (createTransport) {
    const transport = createTransport({ fetch: fetchImpl, timeoutMs: 30_000, retries: 2, baseDelayMs: 500, maxDelayMs: 20_000, maxResponseBytes: 1024 * 1024 });
    const withTransport = createClient({ baseUrl: origin, fetch: (r) => transport(r), headers: baseHeaders });
    withTransport.use(asMiddleware(tokenAuth(TOKEN)));
    list.push({ id: 'tr', name: '+ our attempt loop and fetch transport, fetch injected (Request read to plain data, a new Request for that fetch, timeout, abort wiring, body limit)', call: () => withTransport.POST(OP, opInit()).then(consume) });
  }
  const ecs = (auth, f = fetchImpl) => createEcsClient({ endpoint: origin, projectId: PROJECT_ID, auth, fetch: f });
  const token = ecs(tokenAuth(TOKEN));
  list.push({ id: 'full', name: 'stopServer, token, fetch injected (its own path: plain request, no openapi-fetch)', call: () => token.stopServer(SERVER_ID, { type: 'SOFT' }) });
  const aksk = ecs(akskAuth({ ak: AK, sk: SK }));
  list.push({ id: 'aksk', name: 'stopServer, AK/SK, fetch injected (signing with node:crypto)', call: () => aksk.stopServer(SERVER_ID, { type: 'SOFT' }) });
  if (withNodeTransport) {
    const nodeFetch = createNodeFetch();
    list.push({
      id: 'nodeRaw', name: 'hand-built Request, node:http transport (prototype) alone',
      call: async () => {
        const res = await nodeFetch(new Request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': TOKEN, ...baseHeaders }, body: BODY }));
        await res.body?.cancel();
      },
    });
    const tokenNode = ecs(tokenAuth(TOKEN), nodeFetch);
    list.push({ id: 'fullNode', name: 'stopServer, token, node:http transport (prototype)', call: () => tokenNode.stopServer(SERVER_ID, { type: 'SOFT' }) });
    const node = await import('../dist/node.js').catch(() => undefined);
    if (typeof node?.nodeTransport === 'function') {
      const tokenNodeTransport = createEcsClient({ endpoint: origin, projectId: PROJECT_ID, auth: tokenAuth(TOKEN), transport: node.nodeTransport() });
      list.push({ id: 'fullNodeTransport', name: 'stopServer, token, nodeTransport() (huaweicloud-ecs-stop/node)', call: () => tokenNodeTransport.stopServer(SERVER_ID, { type: 'SOFT' }) });
    }
  }
  return list;
}

const stubFetch = async () =>
  new Response(null, { status: 202, headers: { 'content-length': '0', 'x-openstack-request-id': 'req-6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' } });

/** How many `Request` objects one call constructs in JS (undici's fetch() makes one more of its own). */
async function countRequests(makeVariants) {
  const Original = globalThis.Request;
  let count = 0;
  globalThis.Request = class CountingRequest extends Original {
    constructor(...args) {
      super(...args);
      count++;
    }
  };
  const counts = {};
  try {
    // Built while the counting class is the global: openapi-fetch takes it at createClient.
    const variants = await makeVariants();
    for (const v of variants) {
      await v.call();
      count = 0;
      await v.call();
      counts[v.id] = count;
    }
  } finally {
    globalThis.Request = Original;
  }
  return counts;
}

export async function profileLayers({ port, rounds, stubN, netN, budgetMs = Infinity }) {
  const origin = `http://127.0.0.1:${port}`;
  // Stub: no network at all, so each figure is the client-side CPU of the layers.
  const stubVariants = await layerVariants('http://127.0.0.1:9', stubFetch);
  const stub = await alternate(stubVariants, rounds, (c) => sequential(c.call, stubN), { warmup: 100, budgetMs: budgetMs * 0.35, minRounds: 3 });
  const stubOut = stubVariants.map((v) => ({ id: v.id, name: v.name, ...summarise(stub.get(v.id)) }));
  // Counting swaps the global Request, which openapi-fetch and our code pick up per call.
  const requestCounts = await countRequests(() => layerVariants('http://127.0.0.1:9', stubFetch));

  const netVariants = await layerVariants(origin, (input, init) => fetch(input, init), { withNodeTransport: true, port });
  const net = await alternate(netVariants, rounds, (c) => sequential(c.call, netN), { warmup: 30, budgetMs: budgetMs * 0.55, minRounds: 3 });
  const fetchRounds = summarise(net.get('fetchUrl')).roundMedians;
  const netOut = netVariants.map((v) => {
    const s = summarise(net.get(v.id));
    return { id: v.id, name: v.name, ...s, xFetch: roundRatio(s.roundMedians, fetchRounds).median };
  });
  return { stub: stubOut, net: netOut, requestCounts, stubRounds: stub.rounds, netRounds: net.rounds };
}

// ---- V8 CPU profile ----

const categories = [
  [(f) => f.functionName === '(garbage collector)', 'garbage collection'],
  [(f) => f.functionName === '(program)', 'V8/native, unattributed ((program))'],
  [(f) => f.url.includes('node:internal/deps/undici'), 'undici: fetch(), Request/Response/Headers'],
  [(f) => f.url.includes('/openapi-fetch/'), 'openapi-fetch'],
  [(f) => /\/dist\/([a-z-]+\/)*[a-z-]+\.js$/.test(f.url) && !f.url.includes('node_modules'), 'ours (dist/**/*.js)'],
  [(f) => f.url.includes('node:internal/webstreams'), 'web streams (Request/Response bodies)'],
  [(f) => f.url.includes('node:internal/crypto') || f.url.includes('node:crypto'), 'node:crypto (hash and HMAC)'],
  [(f) => f.url.includes('node:internal/abort_controller') || f.url.includes('node:internal/event_target'), 'AbortController/EventTarget'],
  [(f) => f.url.startsWith('node:'), 'other node core (net, timers, microtasks)'],
  [(f) => f.url.includes('/bench/'), 'bench loop'],
  [(f) => f.url === '', 'native builtins'],
  [() => true, 'other'],
];

const named = [
  ['new Request(...) (undici)', (f) => f.functionName === 'Request' && f.url.includes('undici')],
  ['new Response(...) (undici)', (f) => f.functionName === 'Response' && f.url.includes('undici')],
  ['new Headers / Headers.set (undici)', (f) => /^(Headers|set|append|fill)$/.test(f.functionName) && f.url.includes('undici')],
  ['undici fetch(), its synchronous part (builds its own Request too)', (f) => f.functionName === 'fetch' && f.url.includes('undici')],
  ['openapi-fetch JSON body serialiser', (f) => f.functionName === 'defaultBodySerializer'],
  ['openapi-fetch URL + path serialiser', (f) => f.functionName === 'createFinalURL' || f.functionName === 'guardedPathSerializer'],
  ['ours: signing, its synchronous parts', (f) => f.url.endsWith('/dist/auth/signing.js') && /^(sign|canonicalRequest|hex|canonicalUri|canonicalQueryString)$/.test(f.functionName)],
  ['ours: input checks (validate.js)', (f) => f.url.endsWith('/dist/validate.js')],
];

// Node internals and builtins folded into the nearest frame of one of these.
const owners = [
  ['ours (dist/**/*.js)', (f) => /\/dist\/([a-z-]+\/)*[a-z-]+\.js$/.test(f.url) && !f.url.includes('node_modules')],
  ['openapi-fetch', (f) => f.url.includes('/openapi-fetch/')],
  ['undici (fetch, Request, Response, Headers, bodies)', (f) => f.url.includes('node:internal/deps/undici')],
  ['bench loop', (f) => f.url.includes('/bench/')],
];

function summariseCpuProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const owned = new Map();
  const inclusive = new Map(named.map(([label]) => [label, 0]));
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i]);
    const f = node.callFrame;
    if (f.functionName === '(idle)' || f.functionName === '(root)') {
      idle += dt;
      continue;
    }
    busy += dt;
    const label = categories.find(([test]) => test(f))[1];
    self.set(label, (self.get(label) ?? 0) + dt);
    const seen = new Set();
    let owner;
    if (f.functionName === '(garbage collector)' || f.functionName === '(program)') owner = label;
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id).callFrame;
      for (const [labelN, test] of named) if (!seen.has(labelN) && test(frame)) seen.add(labelN);
      owner ??= owners.find(([, test]) => test(frame))?.[0];
    }
    owner ??= 'node core with no such caller (sockets, HTTP parser, timers, microtask queue)';
    owned.set(owner, (owned.get(owner) ?? 0) + dt);
    for (const labelN of seen) inclusive.set(labelN, inclusive.get(labelN) + dt);
  }
  return {
    busyUs: busy,
    idleUs: idle,
    self: [...self].sort((a, b) => b[1] - a[1]).map(([label, us]) => ({ label, share: us / busy })),
    inclusive: [...inclusive].map(([label, us]) => ({ label, share: us / busy })),
    owned: [...owned].sort((a, b) => b[1] - a[1]).map(([label, us]) => ({ label, share: us / busy })),
  };
}

/** `calls` calls profiled, fewer when they take more than `maxSeconds`. */
export async function cpuProfile({ port, mode, calls, maxSeconds = 600 }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecs-bench-prof-'));
  const file = path.join(dir, `${mode}.cpuprofile`);
  try {
    await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(here, 'profile-child.mjs'), String(port), mode, String(calls), file, String(maxSeconds)], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`profile child exited ${code}`))));
    });
    const { profile, wallUs, calls: done } = JSON.parse(readFileSync(file, 'utf8'));
    const result = summariseCpuProfile(profile);
    return { mode, calls: done, ...result, busyPerCall: result.busyUs / done, wallPerCall: wallUs / done };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
