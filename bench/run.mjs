// `npm run bench`: the whole benchmark. Prints the results as Markdown and writes them, with
// the machine's description, to bench/RESULTS.md: one table of every contender (sequential and
// C in flight, min/median/max over rounds) and a verdict per target (met, not met, undecided:
// see bench/README.md). It reports; it never passes or fails on time or on a target (it exits
// non-zero only when something could not run at all).
//
// Settings (environment): BENCH_N sequential calls per contender per round (150), BENCH_C
// calls in flight (16), BENCH_CONC_N calls per concurrent batch (250), BENCH_ROUNDS (40),
// BENCH_WARMUP unmeasured calls before each batch (20), BENCH_BUDGET_S the time budget of the
// whole `npm run bench`, or of this script when run directly (165; the latency phase runs fewer
// rounds when they would not fit), BENCH_SIGN_ROUNDS (15),
// BENCH_SIGN_N signatures per batch (200), BENCH_IMPORT_RUNS (11), BENCH_PROFILE_N calls per
// profile batch (150), BENCH_STUB_N calls per stub batch (300), BENCH_PROFILE_ROUNDS (4),
// BENCH_CPUPROF_N (2000), BENCH_QUICK=1 for a fast smoke run with small numbers,
// BENCH_NO_SDK=1 to leave the SDK out, BENCH_NO_FOOTPRINT=1 to skip the npm installs into
// temporary folders.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEcsClient, tokenAuth, akskAuth } from '../dist/index.js';
import { AK, PROJECT_ID, SERVER_ID, SK, TOKEN, loadNodeTransport, loadSdk, startContender } from './contenders.mjs';
import { alternate, concurrent, env, fmt, perRound, sequential, spread, summarise, table, verdictOf } from './lib.mjs';
import { benchSigning, crossCheck } from './signing.mjs';
import { coldImports } from './imports.mjs';
import { bundleSizes, installFootprints } from './sizes.mjs';
import { profileLayers, cpuProfile } from './profile.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const q = (full, small) => (quick ? small : full);
const cfg = {
  n: env('BENCH_N', q(150, 100)),
  c: env('BENCH_C', 16),
  concN: env('BENCH_CONC_N', q(250, 200)),
  rounds: env('BENCH_ROUNDS', q(40, 6)),
  budgetS: env('BENCH_BUDGET_S', q(165, 60)),
  warmup: env('BENCH_WARMUP', q(20, 10)),
  importRuns: env('BENCH_IMPORT_RUNS', q(11, 9)),
  signN: env('BENCH_SIGN_N', q(200, 100)),
  profileN: env('BENCH_PROFILE_N', q(150, 100)),
  stubN: env('BENCH_STUB_N', q(300, 200)),
  signRounds: env('BENCH_SIGN_ROUNDS', q(15, 6)),
  profileRounds: env('BENCH_PROFILE_ROUNDS', q(4, 2)),
  cpuProfN: env('BENCH_CPUPROF_N', q(2000, 200)),
};
const withSdk = process.env.BENCH_NO_SDK !== '1';
const log = (...args) => console.error('[bench]', ...args);
const started = Date.now();
const phaseTimes = [];
async function phase(name, fn) {
  const t = Date.now();
  log(`${name}...`);
  const result = await fn();
  phaseTimes.push([name, (Date.now() - t) / 1000]);
  log(`${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return result;
}

function machine() {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const mhz = cpuinfo.match(/^cpu MHz\s*:\s*(.+)$/m)?.[1];
  return {
    cpu: `${model}${mhz ? ` (${Math.round(Number(mhz))} MHz)` : ''}`,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    undici: process.versions.undici,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

/**
 * Seconds since `npm run bench` started, when this script runs under it (Linux: the start time
 * of the npm process above the script's shell, from /proc); undefined otherwise.
 */
function npmRunSeconds() {
  if (process.env.npm_lifecycle_event !== 'bench') return undefined;
  try {
    const stat = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    const ticks = 100; // USER_HZ on Linux
    for (let pid = process.ppid, depth = 0; pid > 1 && depth < 4; depth++) {
      const fields = stat(pid);
      // npm sets its title to `npm run bench`; else its command line is `node …/npm run bench`.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ');
      if (/(^|[\s/])npm(-cli\.js)?\s+run(-script)?\s+bench\b/.test(cmd)) {
        const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
        return uptime - Number(fields[19]) / ticks;
      }
      pid = Number(fields[1]);
    }
  } catch {
    // not Linux, or /proc unreadable
  }
  return undefined;
}

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.once('data', (data) => resolve({ port: Number(String(data).trim()), child }));
    child.once('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
    process.once('exit', () => child.kill());
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', resolve);
    child.stdin.end();
    setTimeout(() => child.kill(), 5000).unref();
  });
}

// ---- phases ----

async function latency(port, sdk, budgetMs) {
  // Every contender in its own process (contender-process.mjs): its heap, its GC, its CPU.
  const ids = ['0', '1', '2', '3', ...(sdk.error ? [] : ['4']), '5', '5s'];
  const contenders = await Promise.all(ids.map((id) => startContender(port, id)));
  const node = contenders.find((c) => c.id === '5').node;
  log(node.kind === 'nodeTransport' ? '(5)/(5s): nodeTransport() from dist/node.js' : `(5)/(5s): the fallback prototype (bench/node-transport.mjs), as ${node.reason}`);
  // Each contender's sequential batch and its C=16 batch are separate entries in the rotation,
  // ordered so that the two sides of every target's ratio are neighbours ((5) (0) (5s), then
  // (2) (1) (3) (4)): in most rounds they run one right after the other, so drift of the machine
  // between them is small. All sequential batches come first, then all C=16 ones.
  const order = ['5', '0', '5s', '2', '1', '3', '4'];
  const inOrder = [...contenders].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const batches = ['seq', 'conc'].flatMap((mode) => inOrder.map((c) => ({ id: `${c.id}:${mode}`, mode, c })));
  let results;
  try {
    results = await alternate(
      batches,
      cfg.rounds,
      (b) => b.c.batch({ mode: b.mode, n: b.mode === 'seq' ? cfg.n : cfg.concN, c: cfg.c, warmup: cfg.warmup }),
      { budgetMs, minRounds: Math.min(cfg.rounds, 6), onRound: (r) => log(`  latency round ${r + 1}/${cfg.rounds}`) },
    );
    for (const c of contenders) c.heap = await c.stats();
  } finally {
    for (const c of contenders) c.close();
  }
  const seq = new Map(contenders.map((c) => [c.id, summarise(results.get(`${c.id}:seq`))]));
  const conc = new Map(contenders.map((c) => [c.id, summarise(results.get(`${c.id}:conc`))]));
  // The per-round figure a ratio is taken of: sequential, the batch's median latency; C=16, its
  // wall time per call (1 / throughput); CPU, the batch's CPU time per call.
  const series = (id, mode, metric) => {
    const s = (mode === 'seq' ? seq : conc).get(id);
    if (!s) return undefined;
    if (metric === 'cpu') return s.roundCpuPerCall;
    return mode === 'seq' ? s.roundMedians : s.roundWallPerCall;
  };
  /** Per-round ratios of a to b, with their spread; undefined when either is missing. */
  const ratio = (a, b, mode = 'seq', metric = 'wall') => {
    const x = series(a, mode, metric);
    const y = series(b, mode, metric);
    if (!x || !y) return undefined;
    const values = perRound(x, y);
    return { ...spread(values), values };
  };
  return { contenders: contenders.map(({ id, name, heap }) => ({ id, name, heap })), seq, conc, series, ratio, node, rounds: results.rounds, budgetS: budgetMs / 1000 };
}

/**
 * The web objects (Request, Response, Headers) our JavaScript constructs per stopServer call,
 * token and AK/SK: with default options (the global `fetch` replaced, for the count, by a stub
 * answering 202 at once) and over `nodeTransport()` against the loopback server. The globals are
 * wrapped in counting proxies while the calls run; undici's `fetch()` builds its own Request with
 * its internal class, which this does not see.
 */
async function webObjectCounts(port) {
  const names = ['Request', 'Response', 'Headers'];
  const saved = Object.fromEntries(names.map((n) => [n, globalThis[n]]));
  const savedFetch = globalThis.fetch;
  const counts = Object.fromEntries(names.map((n) => [n, 0]));
  const calls = 5;
  const measure = async (client) => {
    const call = () => client.stopServer(SERVER_ID, { type: 'SOFT' }).then((r) => {
      if (r.status !== 202) throw new Error(`status ${r.status}`);
    });
    for (let i = 0; i < 3; i++) await call();
    for (const n of names) counts[n] = 0;
    for (let i = 0; i < calls; i++) await call();
    return Object.fromEntries(names.map((n) => [n, counts[n] / calls]));
  };
  const endpoint = (origin, extra) => (auth) => createEcsClient({ endpoint: origin, projectId: PROJECT_ID, auth, ...extra });
  const out = {};
  for (const n of names) globalThis[n] = new Proxy(saved[n], { construct: (target, args) => (counts[n]++, Reflect.construct(target, args)) });
  try {
    globalThis.fetch = async () => new saved.Response(null, { status: 202 });
    const byDefault = endpoint('http://127.0.0.1:9', {});
    out.fetch = { token: await measure(byDefault(tokenAuth(TOKEN))), aksk: await measure(byDefault(akskAuth({ ak: AK, sk: SK }))) };
    globalThis.fetch = savedFetch;
    const { nodeTransport } = await loadNodeTransport();
    if (nodeTransport) {
      const overNode = endpoint(`http://127.0.0.1:${port}`, { transport: nodeTransport() });
      out.node = { token: await measure(overNode(tokenAuth(TOKEN))), aksk: await measure(overNode(akskAuth({ ak: AK, sk: SK }))) };
    }
  } finally {
    globalThis.fetch = savedFetch;
    Object.assign(globalThis, saved);
  }
  return out;
}

// ---- report ----

const modes = [['seq', 'sequential'], ['conc', `C=${cfg.c}`]];
// profile.mjs names its stopServer row as the sum of the layers above it, which it no longer is:
// stopServer goes around openapi-fetch.
const layerName = (s) => (s.id === 'full' ? 'stopServer, token, fetch injected (its plain path: checks, the token\'s headers, attempt loop, one Request for that fetch)' : s.name);
const metrics = [['wall', 'wall'], ['cpu', 'CPU']];
const bold = (v) => `**${v}**`;

function mainTable(lat) {
  const rows = [];
  for (const c of lat.contenders) {
    for (const [mode, modeName] of modes) {
      const us = (v) => fmt.us(v);
      const cell = (b, metric) => fmt.range(lat.ratio(c.id, b, mode, metric));
      rows.push([
        `(${c.id})`, c.name, modeName,
        fmt.range(spread(lat.series(c.id, mode, 'wall')), us),
        fmt.range(spread(lat.series(c.id, mode, 'cpu')), us),
        cell('0', 'wall'), cell('1', 'wall'), cell('0', 'cpu'), cell('1', 'cpu'),
      ]);
    }
  }
  return table(['#', 'contender', 'mode', 'µs per call', 'CPU µs per call', '× (0)', '× (1)', 'CPU × (0)', 'CPU × (1)'], rows, 'lllrrrrrr');
}

function distributionTable(lat) {
  return table(
    ['#', 'seq median µs', 'seq p99 µs', 'seq req/s', `C=${cfg.c} median µs`, `C=${cfg.c} p99 µs`, `C=${cfg.c} req/s`, 'heap kept, after GC', 'per call'],
    lat.contenders.map((c) => {
      const s = lat.seq.get(c.id);
      const k = lat.conc.get(c.id);
      const kept = c.heap.heapEnd - c.heap.heapStart;
      return [`(${c.id})`, fmt.us(s.median), fmt.us(s.p99), fmt.int(s.rps), fmt.us(k.median), fmt.us(k.p99), fmt.int(k.rps), `${fmt.bytes(c.heap.heapStart)} → ${fmt.bytes(c.heap.heapEnd)}`, `${fmt.int(kept / c.heap.calls)} B`];
    }),
    'lrrrrrrrr',
  );
}

/** One verdict row from per-round ratios. */
function verdictRow(target, what, values, threshold, { strict = false, digits = 2, unit = 'rounds' } = {}) {
  if (!values) return [target, what, 'n/a', 'n/a', 'n/a', 'n/a'];
  const v = verdictOf(values, threshold, { strict });
  const f = (x) => x.toFixed(digits);
  const ci = Number.isFinite(v.low) ? `${f(v.low)}–${f(v.high)}` : `none (${v.n} ${unit})`;
  return [target, what, `${f(v.median)} (${f(v.min)}–${f(v.max)})`, ci, bold(v.verdict), v.verdict];
}

/** The issue's targets on calls, each sequential and C=16, on wall time and on CPU per call. */
function latencyVerdicts(lat) {
  const node = lat.node.kind === 'nodeTransport' ? 'nodeTransport()' : 'node:http prototype (the fallback, not nodeTransport())';
  const targets = [
    ['default transport, token: ours ≤ 1.00× raw fetch', '2', '1', 1.0],
    ['default transport, AK/SK: ours ≤ 1.10× raw fetch', '3', '1', 1.1],
    ['default transport, AK/SK: ours faster than the SDK transport (< 1.00×)', '3', '4', 1.0, true],
    [`${node}, token: ≤ 1.60× the floor`, '5', '0', 1.6],
    [`${node}, AK/SK: ≤ 2.30× the floor`, '5s', '0', 2.3],
  ];
  const rows = [];
  for (const [label, a, b, threshold, strict] of targets) {
    for (const [mode, modeName] of modes) {
      for (const [metric, metricName] of metrics) {
        rows.push(verdictRow(`${label}`, `(${a})/(${b}), ${modeName}, ${metricName}`, lat.ratio(a, b, mode, metric)?.values, threshold, { strict }));
      }
    }
  }
  return rows;
}

function report({ m, lat, signing, check, imports, bundles, footprints, layers, profiles, sdk, totalS }) {
  const out = [];
  const push = (...lines) => out.push(...lines);
  const seq = lat.seq;
  const wholeS = npmRunSeconds();

  push('# Benchmark results', '');
  push(`Fresh output of \`npm run bench\` (bench/run.mjs): ${totalS.toFixed(0)} s for the measuring script${wholeS ? `, ${wholeS.toFixed(0)} s for the whole \`npm run bench\` (build and \`npm ci\` in bench/ included)` : ''}.`, '');
  push('## Machine', '');
  push(`- CPU: ${m.cpu}, ${m.cores} cores available, ${m.memory} memory`);
  push(`- OS: ${m.os}; load average (1, 5, 15 min) ${m.load} at the start, ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
  push(`- Node ${m.node} (undici ${m.undici}, V8 ${m.v8})`);
  push(`- Date: ${m.date}`);
  push(`- Settings: each contender in a process of its own, warmed up with 200 calls; ${lat.rounds} alternating rounds${lat.rounds < cfg.rounds ? ` (of ${cfg.rounds}: the latency phase stopped at its budget, ${lat.budgetS.toFixed(0)} s)` : ''}; per round and contender one batch of ${cfg.n} sequential calls and one of ${cfg.concN} calls with ${cfg.c} in flight (all sequential batches first), each after ${cfg.warmup} unmeasured calls${quick ? ' (BENCH_QUICK: smoke-test sizes, not for quoting)' : ''}`);
  push('- Server: bench/server.mjs in its own process on 127.0.0.1, reads each request and answers 202 with no body; client and server share the machine\'s cores', '');

  // Targets (issue #13), then the earlier ones (issue #7)
  const t = latencyVerdicts(lat);
  {
    // Two rows of ours with a target: from strings, the same input and output as the SDK's signer;
    // and akskAuth.headersFor, as the client signs each call (a plain request in, headers out).
    // akskAuth.authorize (a Request in, a signed Request out) is shown for comparison, no verdict.
    const rows = [['signer', 'signatureHeaders from strings / SDK'], ['ours', 'akskAuth.headersFor, as the client signs each call / SDK'], ['viaRequest', 'akskAuth.authorize, a Request in and a signed Request out / SDK']];
    for (const [id, what] of rows) {
      if (!signing[id]) continue;
      for (const [metric, metricName] of metrics) {
        const values = signing.sdk ? perRound(signing[id].rounds[metric], signing.sdk.rounds[metric]) : undefined;
        if (id !== 'viaRequest') {
          t.push(verdictRow('signing at least as fast as the SDK\'s signer (≤ 1.00×)', `${what}, µs per signature, ${metricName}`, values, 1));
          continue;
        }
        if (!values) continue;
        const row = verdictRow('no target, for comparison (the client uses `authorize` only for an auth without `headersFor`)', `${what}, µs per signature, ${metricName}`, values, 1);
        t.push([...row.slice(0, 4), '— (no target)', 'info']);
      }
    }
  }
  const full = bundles.bundles?.find((b) => b.id === 'ours' && !b.error);
  const shaken = bundles.bundles?.find((b) => b.id === 'oursAksk' && !b.error);
  if (full) {
    const ok = full.gzip <= 8192 ? 'met' : 'not met';
    t.push(['bundle with `akskAuth` ≤ 8,192 B gzip', 'dist/index.js, esbuild, minified, gzip -9', `${fmt.int(full.gzip)} B${shaken ? ` (${fmt.int(shaken.gzip)} B with only createEcsClient and akskAuth imported)` : ''}`, 'exact', bold(ok), ok]);
  }
  const imp = Object.fromEntries(imports.map((i) => [i.id, i]));
  t.push(verdictRow('(#7) cold import within 25 ms of `node -e 0`', 'ours − `node -e 0`, ms, per run', imp.ours.times.map((v, i) => v - imp.node.times[i]), 25, { digits: 1, unit: 'runs' }));
  const ours = footprints?.find((f) => f.name.startsWith('ours') && !f.error);
  if (ours) {
    const ok = ours.bytes < 1e6 && ours.diskBytes < 1e6 ? 'met' : 'not met';
    t.push(['(#7) install footprint under 1 MB (10^6 bytes)', 'bytes of files; on disk', `${fmt.int(ours.bytes)}; ${fmt.int(ours.diskBytes)} (${ours.packages} packages)`, 'exact', bold(ok), ok]);
  }
  const count = (v) => t.filter((r) => r[5] === v).length;
  push('## Targets', '');
  push(`${count('met')} met, ${count('not met')} not met, ${count('undecided')} undecided${count('n/a') ? `, ${count('n/a')} not measured` : ''}.`, '');
  push(table(['target', 'ratio, mode, measure', 'median of rounds (min–max)', '95 % CI of the median', 'verdict'], t.map((r) => r.slice(0, 5)), 'llrrl'), '');
  push(`Each ratio is taken round by round (the two contenders ran in the same round, a few seconds apart); the verdict is on the median of those per-round ratios, with a 95 % confidence interval from the rounds' order statistics (distribution-free: it assumes nothing about their shape). **met**: the whole interval is within the target; **not met**: the whole interval is past it; **undecided**: the interval straddles the threshold, so ${lat.rounds} rounds cannot tell (more rounds, BENCH_ROUNDS, or a quieter machine can). Sequential wall is the batch's median latency; C=${cfg.c} wall is the batch's wall time per call; CPU is the contender's process's CPU time per call. bench/README.md has the rule in full.`, '');

  push('## Per call: the stop request against a loopback server answering 202', '');
  push(mainTable(lat), '');
  push(`Every cell is the median over the ${lat.rounds} rounds with the rounds' min–max in brackets, of a per-round figure: µs per call is the batch's median latency (sequential) or its wall time per call, 1 / throughput (C=${cfg.c}); CPU is \`process.cpuUsage()\` of the contender's process (user + system, GC threads included) over the batch, divided by its calls (the server's CPU is not in it); × (n) and CPU × (n) are this contender's figure divided by contender n's in the same round. Every contender sends the same request: same method, path, JSON body and headers; (0), (1), (2) and (5) carry an \`X-Auth-Token\`, (3), (4) and (5s) an AK/SK signature (the SDK signs only with AK/SK; its signature and ours were checked equal for one request and date).`, '');
  push(`Latencies pooled over all rounds (nearest-rank percentiles), throughput over all batches, and each contender's heap (\`heapUsed\` after a full GC) after its warm-up and after its last batch, with the difference divided by the calls in between: memory a call leaves behind that no GC frees.`, '');
  push(distributionTable(lat), '');

  // The node:http transport: which one, and how it compares with fetch
  if (seq.has('5')) {
    const node = lat.node;
    push(`## node:http transport: ${node.kind === 'nodeTransport' ? '`nodeTransport()` from dist/node.js' : 'the fallback prototype in bench/node-transport.mjs'}`, '');
    push(node.kind === 'nodeTransport'
      ? '(5) and (5s) are `createEcsClient({ ..., transport: nodeTransport() })`, the package\'s own transport from `huaweicloud-ecs-stop/node`: one `http.request` per attempt over a keep-alive agent, the request handed over as plain data; a call of each with the global `fetch` replaced by one that throws reached the server, so they send without fetch.'
      : `(5) and (5s) are NOT the package's \`nodeTransport()\`, which was not measured because ${node.reason ?? 'it was not found'}: they are the fallback, the prototype \`createNodeFetch()\` in bench/node-transport.mjs, given as the \`fetch\` option (so the transport builds a Request for it and it builds a Response back). \`npm run build\` makes dist/node.js, and the bench then measures \`nodeTransport()\`, as the \`transport\` option.`, '');
    const p = [
      ['(5)/(1): token, against raw fetch', '5', '1'],
      ['(5)/(2): token, against ours over fetch', '5', '2'],
      ['(5s)/(3): AK/SK, against ours over fetch', '5s', '3'],
    ];
    if (seq.has('4')) p.push(['(5s)/(4): AK/SK, against the SDK transport', '5s', '4']);
    push(table(['ratio', 'sequential, wall', 'sequential, CPU', `C=${cfg.c}, wall`, `C=${cfg.c}, CPU`],
      p.map(([label, a, b]) => [label, ...modes.flatMap(([mode]) => metrics.map(([metric]) => fmt.range(lat.ratio(a, b, mode, metric))))]), 'lrrrr'), '');
  }

  // Signing
  push(`## AK/SK signatures per second (no network; ${signing.rounds} alternating rounds of ${cfg.signN} each)`, '');
  // The rows that take a Request (authorize, the one-shot) also build one: their rate net of
  // building it; the others build none, so their rate is already net.
  const netOfRequest = (id) => {
    const s = signing[id];
    if (id === 'viaRequest' || id === 'oneshot') return fmt.int(1e6 / Math.max(1e-9, s.usPerCall - signing.req.usPerCall));
    return id === 'req' || id === 'parallel' ? '—' : fmt.int(s.perSec);
  };
  push(table(
    ['signer', 'signatures/s', 'µs each', 'CPU µs each', 'net of building a Request, /s'],
    ['req', 'ours', 'parallel', 'viaRequest', 'oneshot', 'signer', 'sdk'].filter((id) => signing[id]).map((id) => {
      const s = signing[id];
      // signing.mjs's labels, where they do not match what the client does: it signs openapi-fetch's
      // operations through headersFor too, and the row in flight runs headersFor.
      const name = id === 'parallel'
        ? s.name.replace(/^ours: akskAuth\b(?!\.)/, 'ours: akskAuth.headersFor')
        : s.name;
      return [name, id === 'req' ? '—' : fmt.int(s.perSec), fmt.us(s.usPerCall), fmt.us(s.cpuPerCall), netOfRequest(id)];
    }),
    'lrrrr',
  ), '');
  const header = `\`${check.ours?.replace(/Signature=\w+/, 'Signature=…')}\``;
  const agree = check.signer === check.ours && check.viaRequest === check.ours;
  push([
    check.sdk
      ? `Same request, same date: ours (akskAuth's \`headersFor\` and \`authorize\`, and signatureHeaders) and the SDK produce ${check.same ? 'the same' : '**different**'} Authorization header (${header}).`
      : `Ours signs that request as ${header}; akskAuth's \`headersFor\` and \`authorize\` and signatureHeaders ${agree ? 'agree' : '**disagree**'} (the SDK is not loaded, so the signature was not checked against its signer).`,
    `${check.sdk ? 'Both hash with node:crypto synchronously. The SDK\'s signer, signatureHeaders and' : 'Ours hashes with node:crypto synchronously (with Web Crypto where node:crypto is missing, as in browsers). signatureHeaders and'} akskAuth's \`headersFor\` take the request as plain values and return headers. \`headersFor\` is how the client signs every call, openapi-fetch's operations too (their Request is read into plain data first). Ours keeps the hash of the last string body and the canonical path and query of the last URL signed: signing one request over and over, as here, reuses both${check.sdk ? ', where the SDK recomputes them' : ''}; a client stopping many servers reuses the body hash only. \`authorize\`, which every EcsAuth has, takes a Request, reads its body and builds the signed Request from those bytes: the client calls it only for an auth without \`headersFor\`. ${check.sdk ? 'Where node:crypto is missing, as in browsers, ours hashes with Web Crypto instead. ' : ''}The one-shot \`signRequest()\` leaves the caller's Request readable, so it reads the body from a clone.${signing.parallel ? ' The row with calls in flight runs `headersFor` with many of them pending: node:crypto hashes on the main thread, so it shows what pending calls cost, not extra parallelism.' : ''}`,
  ].join(' '), '');

  // Imports
  push(`## Cold import (median of ${imports[0].runs} interleaved runs, a new process each)`, '');
  push(table(['what', 'median', 'min', 'p90', 'over `node -e 0`'], imports.map((i) => [i.name, fmt.ms(i.median), fmt.ms(i.min), fmt.ms(i.p90), i.id === 'node' ? '—' : fmt.delta(i.median - imp.node.median, ' ms')]), 'lrrrr'), '');

  // Sizes
  push('## Weight', '');
  if (bundles.error) push(`Bundles: ${bundles.error}`, '');
  else {
    push(`Bundled with esbuild ${bundles.version} (bundle, minify, platform node, target node20), gzip -9 with node:zlib:`, '');
    push(table(['bundle', 'minified', 'gzipped', 'modules', 'note'], bundles.bundles.map((b) =>
      b.error ? [b.name, 'failed', '', '', b.error] : [b.name, fmt.bytes(b.bytes), fmt.bytes(b.gzip), String(b.modules), b.openapiFetchBytes ? `openapi-fetch is ${fmt.bytes(b.openapiFetchBytes)} of it` : b.warnings ? `${b.warnings} warnings` : ''],
    ), 'lrrrl'), '');
  }
  if (footprints) {
    push('Install footprint: `npm install` into an empty temporary folder (`--omit=dev --ignore-scripts`, from the npm cache where possible); ours is installed from the tarball `npm pack` makes of this checkout. Bytes are the sizes of the files; disk is `du -sk`.', '');
    push(table(['install', 'packages', 'files', 'bytes', 'on disk', 'tarball'], footprints.map((f) =>
      f.error ? [f.name, 'failed', '', f.error, '', ''] : [f.name, String(f.packages), fmt.int(f.files), `${fmt.int(f.bytes)} (${fmt.bytes(f.bytes)})`, fmt.bytes(f.diskBytes), f.tarball ? fmt.bytes(f.tarball) : '—'],
    ), 'lrrrrr'), '');
  } else push('Install footprint: skipped (BENCH_NO_FOOTPRINT=1).', '');

  // Profile
  push('## Profile: where a call of ours spends its time', '');
  const stub = Object.fromEntries(layers.stub.map((s) => [s.id, s]));
  push(`### Layers with a stub \`fetch\` (no network; ${layers.stubRounds} alternating rounds of ${cfg.stubN} calls)`, '');
  push('The stub answers a ready-made 202 at once, so each row is the CPU of the client\'s own layers. These rows run in the main process, a few short rounds within the phase\'s share of the time budget: a difference smaller than the rounds\' spread, or below zero, is noise. The stub is given as the `fetch` option, so our transport builds a Request to hand it, as it does for any injected fetch; without the option (contenders (2) and (3)) it builds none and calls the global `fetch(url, init)`. The first rows are the path of openapi-fetch\'s operations (`client.raw`, and the list, batch and job operations), each row one layer more than the row above and the last column what that layer costs (here the token auth is openapi-fetch middleware on its Request; the client instead reads that Request into plain data and adds the auth\'s headers to it). The stopServer rows take the client\'s plain path instead, with no openapi-fetch and no Request read back into data: their last column is their cost over the first row, handing the stub a Request.', '');
  const stubRows = [];
  const chain = ['fetch', 'of', 'mw', 'tr'];
  chain.forEach((id, i) => {
    const s = stub[id];
    if (!s) return;
    const prev = i === 0 ? undefined : stub[chain[i - 1]] ?? stub[chain[i - 2]];
    stubRows.push([layerName(s), fmt.us(s.median), fmt.us(s.cpuPerCall), prev ? fmt.delta(s.median - prev.median) : fmt.us(s.median), String(layers.requestCounts[id] ?? '')]);
  });
  if (stub.full) stubRows.push([layerName(stub.full), fmt.us(stub.full.median), fmt.us(stub.full.cpuPerCall), stub.fetch ? `${fmt.delta(stub.full.median - stub.fetch.median)} over the first row` : fmt.us(stub.full.median), String(layers.requestCounts.full ?? '')]);
  if (stub.aksk) stubRows.push([layerName(stub.aksk), fmt.us(stub.aksk.median), fmt.us(stub.aksk.cpuPerCall), stub.full ? `${fmt.delta(stub.aksk.median - stub.full.median)} over token` : fmt.us(stub.aksk.median), String(layers.requestCounts.aksk ?? '')]);
  push(table(['variant (stub fetch)', 'median µs', 'CPU µs/call', 'layer cost µs', 'Requests built'], stubRows, 'lrrrr'), '');
  const rc = layers.requestCounts;
  const wc = layers.webCounts;
  const plural = (n, what) => `${fmt.int(n)} ${what}${n === 1 ? '' : 's'}`;
  const none = (n) => (n === 0 ? 'no Request' : plural(n, 'Request'));
  const byDefault = wc?.fetch
    ? ` With default options, as contenders (2) and (3), a stopServer call builds ${wc.fetch.token.Request === wc.fetch.aksk.Request ? `${none(wc.fetch.token.Request)} in JavaScript, with a token or AK/SK alike` : `${none(wc.fetch.token.Request)} in JavaScript with a token and ${none(wc.fetch.aksk.Request)} with AK/SK`} (counted with the global \`fetch\` replaced by a stub)${wc.fetch.token.Request === 0 && wc.fetch.aksk.Request === 0 ? ': the only Request of the call is the one undici\'s `fetch()` builds from the `(url, init)` it is given, as for raw fetch (1)' : ''}.`
    : '';
  push(`"Requests built" counts \`new Request\` in JavaScript per call (a counting subclass of the global), with the stub; a real \`fetch()\` builds one more of its own, from the Request or from the \`(url, init)\` it is given. With the stub injected, stopServer builds ${rc.full ?? '?'} with a token and ${rc.aksk ?? '?'} with AK/SK (${rc.full === 1 && rc.aksk === 1 ? 'the' : 'one of them the'} Request the transport builds for an injected fetch), openapi-fetch's path through our transport ${rc.tr ?? '?'} (openapi-fetch's, then one for the injected fetch).${byDefault}`, '');

  push(`### The same layers against the loopback server (token; ${layers.netRounds} alternating rounds of ${cfg.profileN} sequential calls)`, '');
  const netIds = new Set(layers.net.map((s) => s.id));
  push(`Here the rows of ours get the global \`fetch\`, wrapped in a function, as their \`fetch\` option, so, as with the stub, the transport builds a Request and hands it over; contenders (2) and (3) in the main table are the default, which calls \`fetch(url, init)\` with no Request of ours.${netIds.has('fullNode') ? ' The prototype rows hand the node:http prototype in bench/node-transport.mjs (only the fallback for (5) and (5s), when dist/node.js is missing or unusable) a Request the same way.' : ''}${netIds.has('fullNodeTransport') ? ' The `nodeTransport()` row is the client of contender (5): the request goes to `http.request` as plain data, with no Request.' : ''}`, '');
  push(table(['variant (real fetch)', 'median µs', 'p99 µs', 'CPU µs/call', '× raw fetch(url, init)'], layers.net.map((s) => [layerName(s), fmt.us(s.median), fmt.us(s.p99), fmt.us(s.cpuPerCall), fmt.x(s.xFetch)]), 'lrrrr'), '');

  for (const p of profiles) {
    if (p.error) {
      push(`CPU profile (${p.mode}) failed: ${p.error}`, '');
      continue;
    }
    push(`### V8 CPU profile: ${p.calls} sequential stopServer calls, ${p.mode === 'aksk' ? 'AK/SK' : 'token'} (node:inspector, 500 µs sampling)`, '');
    push(`Under the profiler a call took ${fmt.us(p.wallPerCall)} µs, ${fmt.us(p.busyPerCall)} µs of it busy on the main thread (the rest is waiting on the server and the loopback). Shares of that busy time, three ways: by the code that ran (self time), by the nearest frame of a package (node internals and builtins folded into the package that called them), and the inclusive time of a few functions (their synchronous stack only; async continuations are not under them):`, '');
    push(table(['self time in', 'share'], p.self.map((s) => [s.label, fmt.pct(s.share)]), 'lr'), '');
    push(table(['nearest package frame', 'share'], p.owned.map((s) => [s.label, fmt.pct(s.share)]), 'lr'), '');
    push(table(['inclusive', 'share'], p.inclusive.filter((s) => s.share > 0).map((s) => [s.label, fmt.pct(s.share)]), 'lr'), '');
  }

  push(...findings({ lat, signing, layers, profiles, imports: imp, ours, footprints, bundles }), '');

  push('## Notes', '');
  push(`- The machine is shared with whatever else runs on it: the load average was ${m.load} at the start and ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end. Alternating rounds spread that noise over all contenders alike, so the ratios hold better than the absolute microseconds; the rounds' spread is shown next to each key ratio.`);
  push('- Each contender runs in a process of its own (bench/contender-process.mjs), so no contender\'s garbage or heap growth is collected on another\'s time, and the server in another; they share the machine\'s cores, so the floor (0) includes the server\'s share of the machine; the gaps between contenders are client-side work.');
  push('- (4) is the SDK\'s transport as its generated clients use it: `new ClientBuilder(...).withCredential(new BasicCredentials().withAk().withSk().withProjectId()).withEndpoint(origin).build()`, then `hcClient.sendRequest(options)` with the options object its ParamCreater builds (POST, url template, path params, JSON body). The SDK signs with AK/SK only; its ECS package has no single-server `os-stop` call (only the batch stop, `/v1/{project_id}/cloudservers/action`), hence the raw request. No region is given, so it makes no IAM call. It sends through axios over Node\'s global agent (keep-alive on Node 20). It needs `uuid` without declaring it (bench/package.json installs it), and `ClientBuilder.build()` writes `~/.huaweicloud/application_id`: the bench points HOME at a temporary folder for that call.');
  push('- The AK/SK rows of ours and of the SDK sign the same headers (content-type, host, x-project-id, x-sdk-date) and produce the same signature for the same date (checked at the start of each run).');
  push(lat.node.kind === 'nodeTransport'
    ? '- (5) and (5s) measured the package\'s `nodeTransport()` (dist/node.js). The prototype in bench/node-transport.mjs is only their fallback when dist/node.js is missing or unusable; the "layers against the loopback server" table shows it next to `nodeTransport()`, for comparison.'
    : `- (5) and (5s) ran the fallback, the prototype in bench/node-transport.mjs, not the package's \`nodeTransport()\`: ${lat.node.reason ?? 'dist/node.js was not usable'}. Nothing in src/ uses the prototype; \`npm run build\` makes dist/node.js.`);
  push('');

  push('## Run', '');
  const before = wholeS ? [['`npm run build` and `npm --prefix bench ci`, before this script', (wholeS - totalS).toFixed(1)]] : [];
  const whole = wholeS ? [['whole `npm run bench`', wholeS.toFixed(1)]] : [['whole script', totalS.toFixed(1)]];
  push(table(['phase', 'seconds'], [...before, ...phaseTimes.map(([n, s]) => [n, s.toFixed(1)]), ...whole], 'lr'), '');
  if (sdk.error) push(`The official SDK could not be loaded, so its rows are missing: ${sdk.error.message}`, '');
  return out.join('\n');
}

function findings({ lat, signing, layers, profiles, imports, ours, footprints, bundles }) {
  const out = ['## Findings', ''];
  const seq = lat.seq;
  const us = (v) => (v < 0 ? `${fmt.delta(v)} µs` : `${fmt.us(v)} µs`);
  const stub = Object.fromEntries(layers.stub.map((s) => [s.id, s]));
  const net = Object.fromEntries(layers.net.map((s) => [s.id, s]));
  const r21 = lat.ratio('2', '1');
  const r31 = lat.ratio('3', '1');
  const gap = seq.get('2').median - seq.get('1').median;
  const token = profiles.find((p) => p.mode === 'token' && !p.error);
  const aksk = profiles.find((p) => p.mode === 'aksk' && !p.error);
  const share = (p, label) => p?.owned.find((o) => o.label.startsWith(label))?.share;
  const layer = (a, b) => (stub[a] && stub[b] ? stub[a].median - stub[b].median : NaN);
  const inPlace = (a, b) => (net[a] && net[b] ? net[a].median - net[b].median : NaN);
  const wc = layers.webCounts;
  const plural = (n, what) => `${fmt.int(n)} ${what}${n === 1 ? '' : 's'}`;
  const requestsByDefault = wc?.fetch ? (wc.fetch.token.Request === 0 ? 'no Request' : plural(wc.fetch.token.Request, 'Request')) : undefined;
  const ofShare = share(token, 'openapi-fetch');
  const inclusive = (p, label) => p?.inclusive.find((i) => i.label.startsWith(label))?.share;
  out.push(`- **Token calls**: ours takes ${us(seq.get('2').median)} where raw fetch takes ${us(seq.get('1').median)} (${fmt.x(r21.median)}, ${gap >= 0 ? `${us(gap)} more` : `${us(-gap)} less`}). With default options, as in (2), a call builds ${requestsByDefault ? `${requestsByDefault} in our JavaScript (counted)` : 'no Request in our JavaScript'}: stopServer makes the request plain data (method, URL, a header object, the body one of three strings serialised once), the token auth gives its header through \`headersFor\` (at once, so the auth step needs no timer or race), the attempt loop gives the attempt its own AbortController and timer, and the transport calls the global \`fetch(url, init)\` with \`redirect: 'manual'\`, from which undici's \`fetch()\` builds its own Request, as for raw fetch; the 202's empty body is read to its end (cheaper than cancelling it, for which undici makes an AbortError). With a stub \`fetch\` given as the \`fetch\` option, stopServer costs ${us(layer('full', 'fetch'))} per call over handing that fetch a Request (which the transport builds only for an injected fetch). openapi-fetch's path, which \`client.raw\` and the list, batch and job operations still take, costs more (stub profile): openapi-fetch ${us(layer('of', 'fetch'))}, the token auth as middleware ${us(layer('mw', 'of'))}, our attempt loop and fetch transport ${us(layer('tr', 'mw'))} (it reads openapi-fetch's Request into plain data and, for an injected fetch, builds a second Request: ${layers.requestCounts.tr ?? '?'} per call). In place, against the server, one Request that is built and never used costs ${us(inPlace('floorReq', 'floor'))} per call, ${us(inPlace('floorReqSig', 'floor'))} when it follows an AbortController's signal, as a Request built for an injected fetch does (its body stream, its internal AbortSignal and their garbage: a tight loop without I/O hides most of it), and handing \`fetch\` a Request instead of \`(url, init)\`, which our transport does only for an injected fetch, costs ${us(inPlace('fetch', 'fetchUrl'))}.${token ? ` In the CPU profile of token calls (default options), code reached from undici takes ${fmt.pct(share(token, 'undici'))} of the busy time (undici's \`fetch()\`, its synchronous part, ${fmt.pct(inclusive(token, 'undici fetch()'))} inclusive), garbage collection ${fmt.pct(token.self.find((x) => x.label === 'garbage collection')?.share)}, ours ${fmt.pct(share(token, 'ours'))}${ofShare ? `, openapi-fetch ${fmt.pct(ofShare)}` : ', openapi-fetch none (it is not on stopServer\'s path)'}.` : ''}`);
  const kept = (id) => {
    const c = lat.contenders.find((x) => x.id === id);
    return c ? (c.heap.heapEnd - c.heap.heapStart) / c.heap.calls : NaN;
  };
  out.push(`- **Heap kept per call, after a full GC** (the distribution table): ours ${fmt.int(kept('2'))} B with a token and ${fmt.int(kept('3'))} B with AK/SK over fetch, raw fetch ${fmt.int(kept('1'))} B${seq.has('5') ? `, ours over node:http ${fmt.int(kept('5'))} B and ${fmt.int(kept('5s'))} B` : ''}. stopServer reads the 202's empty body (any other it cancels) rather than leaving it unread: an unread body kept undici's whole exchange reachable, some 27 KB per call before this was fixed, which would show here.`);
  out.push(`- **AK/SK calls**: ${us(seq.get('3').median)}, ${fmt.x(r31.median)} of raw fetch${seq.has('4') ? ` and ${fmt.x(lat.ratio('3', '4').median)} of the SDK transport (${us(seq.get('4').median)})` : ''}. Signing adds ${us(stub.aksk?.median - stub.full?.median)} per call with a stub fetch: akskAuth's \`headersFor\` gets the plain request and returns the signature headers, synchronously with node:crypto (a body digest, kept for the last string body, so a repeated stop body is hashed once; a canonical-request digest; an HMAC), with no Request read or rebuilt${wc?.fetch ? ` (${wc.fetch.aksk.Request === 0 ? 'no Request' : plural(wc.fetch.aksk.Request, 'Request')} built per call with default options, counted)` : ''}.${signing.sdk ? ` Signatures per second: ours as the client signs (\`headersFor\`) ${fmt.int(signing.ours.perSec)}, the SDK's signer ${fmt.int(signing.sdk.perSec)}; ours uses ${fmt.us(signing.ours.cpuPerCall)} µs of CPU per signature to the SDK's ${fmt.us(signing.sdk.cpuPerCall)} (signing one request over and over, ours reuses its cached body hash and canonical path, which the SDK recomputes).` : ''}${signing.viaRequest ? ` Through \`authorize\`, a Request in and a signed Request out, which the client uses only for an auth without \`headersFor\`: ${fmt.int(signing.viaRequest.perSec)} per second (${fmt.int(1e6 / Math.max(1e-9, signing.viaRequest.usPerCall - signing.req.usPerCall))} net of building the Request).` : ''}${aksk ? ` In the AK/SK profile our own code (mostly signing) takes ${fmt.pct(share(aksk, 'ours'))} of the busy time.` : ''}`);
  if (seq.has('5')) {
    const closed = (seq.get('2').median - seq.get('5').median) / (seq.get('2').median - seq.get('0').median);
    const isNode = lat.node.kind === 'nodeTransport';
    const what = isNode ? '`nodeTransport()` (dist/node.js)' : 'the node:http prototype, as fallback';
    const objects = (c) => (c.Request + c.Response + c.Headers === 0 ? 'no Request, Response or Headers' : `${plural(c.Request, 'Request')}, ${plural(c.Response, 'Response')} and ${fmt.int(c.Headers)} Headers`);
    const tail = isNode
      ? `${wc?.node ? ` Per stop, our JavaScript builds ${objects(wc.node.token) === objects(wc.node.aksk) ? `${objects(wc.node.token)}, with a token or AK/SK alike` : `${objects(wc.node.token)} with a token and ${objects(wc.node.aksk)} with AK/SK`} (counted): the plain request goes to one \`http.request\` over a keep-alive agent as a header object, and a bodyless answer resolves once its socket is back in the pool.` : ''}`
      : ` This is not the package's \`nodeTransport()\` (${lat.node.reason ?? 'not found'}) but the prototype in bench/node-transport.mjs given as an injected fetch, so the transport builds a Request for it and it builds a Response back; \`npm run build\` makes dist/node.js and the bench then measures \`nodeTransport()\`.`;
    out.push(`- **${what}**: ours over it takes ${us(seq.get('5').median)} with a token: ${fmt.x(lat.ratio('5', '1').median)} of raw fetch (from ${fmt.x(r21.median)} over undici) and ${fmt.x(lat.ratio('5', '0').median)} of the http.request floor (from ${fmt.x(lat.ratio('2', '0').median)}), ${closed >= 0 ? `so it closes ${fmt.pct(closed)} of the distance between ours and the floor` : 'so it is no closer to the floor than ours over fetch'}; with AK/SK it is ${fmt.x(lat.ratio('5s', '1').median)} of raw fetch${seq.has('4') ? ` and ${fmt.x(lat.ratio('5s', '4').median)} of the SDK transport` : ''}.${tail}`);
  }
  out.push(`- **Weight**: import ${fmt.delta(imports.ours.median - imports.node.median, ' ms')} over \`node -e 0\`${imports.sdkEcs ? ` (the SDK's ECS package ${fmt.delta(imports.sdkEcs.median - imports.node.median, ' ms')})` : ''}; ${bundles.bundles?.[0]?.gzip ? `bundle ${fmt.bytes(bundles.bundles[0].gzip)} gzipped` : ''}${ours ? `; install ${fmt.bytes(ours.bytes)} in ${ours.packages} packages` : ''}${footprints?.[1]?.bytes ? ` against the SDK's ${fmt.bytes(footprints[1].bytes)} (${fmt.bytes(footprints[1].diskBytes)} on disk) in ${footprints[1].packages}` : ''}.`);
  return out;
}

// ---- main ----

const m = machine();
const sdk = withSdk ? loadSdk() : { error: new Error('left out (BENCH_NO_SDK=1)') };
if (sdk.error) log(`SDK not loaded: ${sdk.error.message}`);

// The time budget counts from the start of `npm run bench` (build and npm ci included) when run
// by it, else from the start of this script. The phases after the latency phase have fixed
// shares; the latency phase gets the rest.
const budgetFrom = started - (npmRunSeconds() ?? 0) * 1000;
const share = { imports: 10, signing: 12, layers: 16, cpuProfiles: 7 };
const after = share.signing + share.layers + share.cpuProfiles + 2;
const bundles = await phase('bundle sizes', () => bundleSizes({ withSdk: !sdk.error }));
const footprints = process.env.BENCH_NO_FOOTPRINT === '1' ? undefined : await phase('install footprints', () => installFootprints({ withSdk: !sdk.error }));
const imports = await phase('cold imports', () => coldImports({ runs: cfg.importRuns, withSdk: !sdk.error, budgetMs: share.imports * 1000 }));
const check = await crossCheck(sdk);
if (!check.same) log('WARNING: the signatures differ', check);

const { port, child } = await startServer();
log(`server on 127.0.0.1:${port}`);
let lat, signing, layers;
const profiles = [];
try {
  const latencyBudgetMs = Math.max(20_000, budgetFrom + cfg.budgetS * 1000 - after * 1000 - Date.now());
  lat = await phase('latency (sequential and concurrent)', () => latency(port, sdk, latencyBudgetMs));
  signing = await phase('signing', () => benchSigning({ sdk, rounds: cfg.signRounds, parallelRounds: 3, n: cfg.signN, parallel: 32, budgetMs: share.signing * 1000 }));
  layers = await phase('profile: layers', async () => ({
    ...(await profileLayers({ port, rounds: cfg.profileRounds, stubN: cfg.stubN, netN: cfg.profileN, budgetMs: share.layers * 1000 })),
    webCounts: await webObjectCounts(port).catch((error) => (log(`counting web objects failed: ${error.message}`), undefined)),
  }));
  await phase('profile: V8 CPU profiles', async () => {
    for (const mode of ['token', 'aksk']) {
      try {
        profiles.push(await cpuProfile({ port, mode, calls: cfg.cpuProfN, maxSeconds: share.cpuProfiles / 2 - 1.5 }));
      } catch (error) {
        profiles.push({ mode, error: error.message });
      }
    }
  });
} finally {
  await stopServer(child);
}

const totalS = (Date.now() - started) / 1000;
const markdown = report({ m, lat, signing, check, imports, bundles, footprints, layers, profiles, sdk, totalS });
writeFileSync(path.join(here, 'RESULTS.md'), `${markdown}\n`);
console.log(markdown);
log(`wrote bench/RESULTS.md in ${totalS.toFixed(0)} s`);
