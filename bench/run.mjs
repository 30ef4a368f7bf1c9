// `npm run bench`: the whole benchmark. Prints the results as Markdown and writes them, with
// the machine's description, to bench/RESULTS.md. It reports; it never passes or fails on time
// (it exits non-zero only when something could not run at all).
//
// Settings (environment): BENCH_N sequential calls per contender per round (500), BENCH_C
// calls in flight (16), BENCH_CONC_N calls per concurrent batch (800), BENCH_ROUNDS (7),
// BENCH_WARMUP unmeasured calls before each batch (30), BENCH_IMPORT_RUNS (11),
// BENCH_SIGN_N signatures per batch (1000), BENCH_PROFILE_N calls per profile batch (400),
// BENCH_STUB_N calls per stub batch (1500), BENCH_PROFILE_ROUNDS (5), BENCH_CPUPROF_N (2000),
// BENCH_QUICK=1 for a fast smoke run with small numbers, BENCH_NO_SDK=1 to leave the SDK out,
// BENCH_NO_FOOTPRINT=1 to skip the npm installs into temporary folders.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContenders, loadSdk } from './contenders.mjs';
import { alternate, concurrent, env, fmt, roundRatio, sequential, summarise, table } from './lib.mjs';
import { benchSigning, crossCheck } from './signing.mjs';
import { coldImports } from './imports.mjs';
import { bundleSizes, installFootprints } from './sizes.mjs';
import { profileLayers, cpuProfile } from './profile.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const q = (full, small) => (quick ? small : full);
const cfg = {
  n: env('BENCH_N', q(500, 100)),
  c: env('BENCH_C', 16),
  concN: env('BENCH_CONC_N', q(800, 200)),
  rounds: env('BENCH_ROUNDS', q(7, 2)),
  warmup: env('BENCH_WARMUP', q(30, 10)),
  importRuns: env('BENCH_IMPORT_RUNS', q(11, 9)),
  signN: env('BENCH_SIGN_N', q(1000, 300)),
  profileN: env('BENCH_PROFILE_N', q(400, 100)),
  stubN: env('BENCH_STUB_N', q(1500, 300)),
  profileRounds: env('BENCH_PROFILE_ROUNDS', q(5, 2)),
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

async function latency(port, sdk) {
  const contenders = createContenders(port, sdk);
  const results = await alternate(
    contenders,
    cfg.rounds,
    async (c) => ({ seq: await sequential(c.call, cfg.n), conc: await concurrent(c.call, cfg.concN, cfg.c) }),
    { warmup: cfg.warmup, onRound: (r) => log(`  latency round ${r + 1}/${cfg.rounds}`) },
  );
  for (const c of contenders) c.close?.();
  const seq = new Map(contenders.map((c) => [c.id, summarise(results.get(c.id).map((b) => b.seq))]));
  const conc = new Map(contenders.map((c) => [c.id, summarise(results.get(c.id).map((b) => b.conc))]));
  const rows = contenders.map((c) => {
    const s = seq.get(c.id);
    const k = conc.get(c.id);
    return {
      id: c.id,
      name: c.name,
      seq: s,
      conc: k,
      seqX0: roundRatio(s.roundMedians, seq.get('0').roundMedians),
      seqX1: roundRatio(s.roundMedians, seq.get('1').roundMedians),
      concX0: roundRatio(k.roundWallPerCall, conc.get('0').roundWallPerCall),
      concX1: roundRatio(k.roundWallPerCall, conc.get('1').roundWallPerCall),
    };
  });
  const ratio = (a, b, mode = 'seq') =>
    seq.has(a) && seq.has(b)
      ? roundRatio(
          mode === 'seq' ? seq.get(a).roundMedians : conc.get(a).roundWallPerCall,
          mode === 'seq' ? seq.get(b).roundMedians : conc.get(b).roundWallPerCall,
        )
      : undefined;
  return { rows, seq, conc, ratio };
}

// ---- report ----

const yes = (ok) => (ok === undefined ? 'n/a' : ok ? '**met**' : '**not met**');

function mainTable(lat) {
  return table(
    ['#', 'contender', 'seq median µs', 'seq p99 µs', 'seq req/s', 'seq CPU µs/call', 'seq ×(0)', 'seq ×(1)', `C=${cfg.c} median µs`, `C=${cfg.c} p99 µs`, `C=${cfg.c} req/s`, `C=${cfg.c} CPU µs/call`, `C=${cfg.c} ×(0)`, `C=${cfg.c} ×(1)`],
    lat.rows.map((r) => [
      `(${r.id})`, r.name,
      fmt.us(r.seq.median), fmt.us(r.seq.p99), fmt.int(r.seq.rps), fmt.us(r.seq.cpuPerCall), fmt.x(r.seqX0.median), fmt.x(r.seqX1.median),
      fmt.us(r.conc.median), fmt.us(r.conc.p99), fmt.int(r.conc.rps), fmt.us(r.conc.cpuPerCall), fmt.x(r.concX0.median), fmt.x(r.concX1.median),
    ]),
  );
}

function report({ m, lat, signing, check, imports, bundles, footprints, layers, profiles, sdk, totalS }) {
  const out = [];
  const push = (...lines) => out.push(...lines);
  const seq = lat.seq;
  const conc = lat.conc;
  const range = (r) => (r ? `${fmt.x(r.median)} (rounds ${r.min.toFixed(2)}–${r.max.toFixed(2)})` : 'n/a');

  push('# Benchmark results', '');
  push(`Fresh output of \`npm run bench\` (bench/run.mjs); ${totalS.toFixed(0)} s for the measuring script itself.`, '');
  push('## Machine', '');
  push(`- CPU: ${m.cpu}, ${m.cores} cores available, ${m.memory} memory`);
  push(`- OS: ${m.os}; load average at start ${m.load}`);
  push(`- Node ${m.node} (undici ${m.undici}, V8 ${m.v8})`);
  push(`- Date: ${m.date}`);
  push(`- Settings: ${cfg.rounds} alternating rounds; per round and contender ${cfg.n} sequential calls, then ${cfg.concN} calls with ${cfg.c} in flight, each batch after ${cfg.warmup} unmeasured calls${quick ? ' (BENCH_QUICK: smoke-test sizes, not for quoting)' : ''}`);
  push('- Server: bench/server.mjs in its own process on 127.0.0.1, reads each request and answers 202 with no body; client and server share the 2 cores', '');

  push('## Per call: the stop request against a loopback server answering 202', '');
  push(mainTable(lat), '');
  push('Latencies are pooled over all rounds (median and nearest-rank p99). CPU is `process.cpuUsage()` of the client process (user + system) over the batch, divided by its calls; the server\'s CPU is not in it. `seq ×(n)` is the median over rounds of (this contender\'s median latency / contender n\'s in the same round); `C=… ×(n)` does the same with wall time per call (1 / throughput). Every contender sends the same request: same method, path, JSON body and headers; (0), (1), (2) and (5) carry an `X-Auth-Token`, (3), (4) and (5s) an AK/SK signature (the SDK signs only with AK/SK; its signature and ours were checked equal for one request and date).', '');

  // Targets
  const t = [];
  const r21 = lat.ratio('2', '1');
  const r31 = lat.ratio('3', '1');
  t.push(['per call, token, ≤ 1.10× raw fetch: (2)/(1), sequential', range(r21), yes(r21 && r21.median <= 1.1)]);
  const r21c = lat.ratio('2', '1', 'conc');
  t.push([`same, C=${cfg.c} (time per call)`, range(r21c), yes(r21c && r21c.median <= 1.1)]);
  t.push(['per call, AK/SK, ≤ 1.20× raw fetch: (3)/(1), sequential', range(r31), yes(r31 && r31.median <= 1.2)]);
  const r31c = lat.ratio('3', '1', 'conc');
  t.push([`same, C=${cfg.c} (time per call)`, range(r31c), yes(r31c && r31c.median <= 1.2)]);
  if (seq.has('4')) {
    const r34 = lat.ratio('3', '4');
    const r24 = lat.ratio('2', '4');
    const r34c = lat.ratio('3', '4', 'conc');
    t.push(['faster per call than the SDK transport, same auth: (3)/(4) < 1, sequential', range(r34), yes(r34.median < 1)]);
    t.push([`same, C=${cfg.c} (time per call)`, range(r34c), yes(r34c.median < 1)]);
    t.push(['(token against the SDK\'s AK/SK: (2)/(4), sequential)', range(r24), yes(r24.median < 1)]);
    const cpu = (id, mode) => (mode === 'seq' ? seq : conc).get(id).cpuPerCall;
    t.push(['less CPU per call than the SDK transport: (3) vs (4), sequential', `${fmt.us(cpu('3', 'seq'))} vs ${fmt.us(cpu('4', 'seq'))} µs (${fmt.x(cpu('3', 'seq') / cpu('4', 'seq'))})`, yes(cpu('3', 'seq') < cpu('4', 'seq'))]);
    t.push([`same, C=${cfg.c}`, `${fmt.us(cpu('3', 'conc'))} vs ${fmt.us(cpu('4', 'conc'))} µs (${fmt.x(cpu('3', 'conc') / cpu('4', 'conc'))})`, yes(cpu('3', 'conc') < cpu('4', 'conc'))]);
  }
  if (signing.sdk) {
    t.push(['signing at least as fast as the SDK signer (per call as the client signs, Request included)', `${fmt.int(signing.ours.perSec)} vs ${fmt.int(signing.sdk.perSec)} /s (${fmt.x(signing.ours.perSec / signing.sdk.perSec)})`, yes(signing.ours.perSec >= signing.sdk.perSec)]);
    t.push(['same, net of building the Request', `${fmt.int(signing.ours.netPerSec)} vs ${fmt.int(signing.sdk.perSec)} /s (${fmt.x(signing.ours.netPerSec / signing.sdk.perSec)})`, yes(signing.ours.netPerSec >= signing.sdk.perSec)]);
  }
  const imp = Object.fromEntries(imports.map((i) => [i.id, i]));
  const importDelta = imp.ours.median - imp.node.median;
  t.push(['cold import within 25 ms of `node -e 0`', `${fmt.delta(importDelta, ' ms')} (${fmt.ms(imp.ours.median)} vs ${fmt.ms(imp.node.median)})`, yes(importDelta <= 25)]);
  const ours = footprints?.find((f) => f.name.startsWith('ours') && !f.error);
  if (ours) t.push(['install footprint under 1 MB (10^6 bytes)', `${fmt.int(ours.bytes)} bytes of files, ${fmt.int(ours.diskBytes)} on disk, ${ours.packages} packages`, yes(ours.bytes < 1e6 && ours.diskBytes < 1e6)]);
  push('## Targets', '');
  push(table(['target', 'measured', 'verdict'], t, 'lrl'), '');

  // Prototype
  if (seq.has('5')) {
    push('## Node transport prototype (bench/node-transport.mjs)', '');
    const p = [
      ['(5)/(0): ours + node:http, token, against the floor', range(lat.ratio('5', '0')), range(lat.ratio('5', '0', 'conc'))],
      ['(5)/(1): … against raw fetch', range(lat.ratio('5', '1')), range(lat.ratio('5', '1', 'conc'))],
      ['(5)/(2): … against ours over fetch', range(lat.ratio('5', '2')), range(lat.ratio('5', '2', 'conc'))],
      ['(5s)/(3): AK/SK, node:http against fetch', range(lat.ratio('5s', '3')), range(lat.ratio('5s', '3', 'conc'))],
    ];
    if (seq.has('4')) p.push(['(5s)/(4): AK/SK, against the SDK transport', range(lat.ratio('5s', '4')), range(lat.ratio('5s', '4', 'conc'))]);
    push(table(['ratio', 'sequential (median latency)', `C=${cfg.c} (time per call)`], p, 'lll'), '');
  }

  // Signing
  push('## AK/SK signatures per second (no network)', '');
  push(table(
    ['signer', 'signatures/s', 'µs each', 'CPU µs each', 'net of Request, /s'],
    ['req', 'ours', 'oneshot', 'parallel', 'sdk'].filter((id) => signing[id]).map((id) => {
      const s = signing[id];
      return [s.name, id === 'req' ? '—' : fmt.int(s.perSec), fmt.us(s.usPerCall), fmt.us(s.cpuPerCall), s.netPerSec ? fmt.int(s.netPerSec) : '—'];
    }),
    'lrrrr',
  ), '');
  const header = `\`${check.ours?.replace(/Signature=\w+/, 'Signature=…')}\``;
  push(`${check.sdk ? `Same request, same date: ours and the SDK produce ${check.same ? 'the same' : '**different**'} Authorization header (${header}).` : `Ours signs that request as ${header} (the SDK is not loaded, so the signature was not checked against its signer).`} ${check.sdk ? 'Both hash with node:crypto synchronously. The SDK\'s signer takes a plain object; ours' : 'Ours hashes with node:crypto synchronously and'} takes the Request the client builds anyway, reads its body and builds the signed Request from those bytes (where node:crypto is missing, as in browsers, it hashes with Web Crypto instead). The one-shot \`signRequest()\` leaves the caller's Request readable, so it reads the body from a clone.`, '');

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
  push(`### Layers with a stub \`fetch\` (no network; ${cfg.profileRounds} alternating rounds of ${cfg.stubN} calls)`, '');
  push('The stub answers a ready-made 202 at once, so each row is the CPU of the client\'s own layers; each adds one layer to the row above, and the last column is what that layer costs. The stub is given as the `fetch` option, so our transport builds a Request to hand it, as it does for any injected fetch; without the option (contenders (2) and (3)) it builds none and calls the global `fetch(url, init)`.', '');
  const stubRows = [];
  const order = ['fetch', 'of', 'mw', 'tr', 'full'];
  order.forEach((id, i) => {
    const s = stub[id];
    if (!s) return;
    const prev = i === 0 ? undefined : stub[order[i - 1]] ?? stub[order[i - 2]];
    stubRows.push([s.name, fmt.us(s.median), fmt.us(s.cpuPerCall), prev ? fmt.delta(s.median - prev.median) : fmt.us(s.median), String(layers.requestCounts[id] ?? '')]);
  });
  if (stub.aksk) stubRows.push([stub.aksk.name, fmt.us(stub.aksk.median), fmt.us(stub.aksk.cpuPerCall), `${fmt.delta(stub.aksk.median - stub.full.median)} over token`, String(layers.requestCounts.aksk ?? '')]);
  push(table(['variant (stub fetch)', 'median µs', 'CPU µs/call', 'layer cost µs', 'Requests built'], stubRows, 'lrrrr'), '');
  push('"Requests built" counts `new Request` in JavaScript per call (a counting subclass of the global), with the stub. A real `fetch()` builds one more of its own, from the Request or from the `(url, init)` it is given; with no `fetch` option our transport builds none, so a token call of ours then builds one (openapi-fetch\'s) and an AK/SK call two (openapi-fetch\'s and the signed one), besides the one inside `fetch()`.', '');

  push(`### The same layers against the loopback server (token; ${cfg.profileRounds} alternating rounds of ${cfg.profileN} sequential calls)`, '');
  push('Here the rows of ours get the global `fetch`, wrapped in a function, as their `fetch` option, so, as with the stub, the transport builds a Request and hands it over; contenders (2) and (3) in the main table are the default, which calls `fetch(url, init)`. The node:http rows hand the prototype a Request the same way.', '');
  push(table(['variant (real fetch)', 'median µs', 'p99 µs', 'CPU µs/call', '× raw fetch(url, init)'], layers.net.map((s) => [s.name, fmt.us(s.median), fmt.us(s.p99), fmt.us(s.cpuPerCall), fmt.x(s.xFetch)]), 'lrrrr'), '');

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
  push('- Client and server run in two processes on the same 2 cores, so the floor (0) includes the server\'s share of the machine; the gaps between contenders are client-side work.');
  push('- (4) is the SDK\'s transport as its generated clients use it: `new ClientBuilder(...).withCredential(new BasicCredentials().withAk().withSk().withProjectId()).withEndpoint(origin).build()`, then `hcClient.sendRequest(options)` with the options object its ParamCreater builds (POST, url template, path params, JSON body). The SDK signs with AK/SK only; its ECS package has no single-server `os-stop` call (only the batch stop, `/v1/{project_id}/cloudservers/action`), hence the raw request. No region is given, so it makes no IAM call. It sends through axios over Node\'s global agent (keep-alive on Node 20). It needs `uuid` without declaring it (bench/package.json installs it), and `ClientBuilder.build()` writes `~/.huaweicloud/application_id`: the bench points HOME at a temporary folder for that call.');
  push('- The AK/SK rows of ours and of the SDK sign the same headers (content-type, host, x-project-id, x-sdk-date) and produce the same signature for the same date (checked at the start of each run).');
  push('- The node:http transport (5) is a prototype in bench/ only; bench/README.md lists what it would have to prove before it could be adopted. Nothing in src/ uses it.');
  push('');

  push('## Run', '');
  push(table(['phase', 'seconds'], phaseTimes.map(([n, s]) => [n, s.toFixed(1)]), 'lr'), '');
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
  out.push(`- **Token calls**: ours takes ${us(seq.get('2').median)} where raw fetch takes ${us(seq.get('1').median)} (${fmt.x(r21.median)}, ${gap >= 0 ? `${us(gap)} more` : `${us(-gap)} less`}). With a stub \`fetch\` given as the \`fetch\` option, the client's own code costs ${us(stub.full?.median - stub.fetch?.median)} per call beyond building one Request: openapi-fetch ${us(layer('of', 'fetch'))}, the token auth ${us(layer('mw', 'of'))}, our transport ${us(layer('tr', 'mw'))} (it reads the body, gives the attempt its own AbortController, timer and listeners, and, for an injected fetch like the stub, builds a second Request), the stopServer wrapper ${us(layer('full', 'tr'))}. Without the option, as in (2), the transport builds no Request: it calls the global \`fetch(url, init)\` with the body it read, so a token call builds one Request in JavaScript (openapi-fetch's) and undici's \`fetch()\` builds its own from \`(url, init)\`, as for raw fetch; an injected fetch is handed a Request instead (${layers.requestCounts.full ?? '?'} built per token call), from which undici's \`fetch()\` builds another and pipes the body through a new TransformStream. In place, against the server, one Request that is built and never used costs ${us(inPlace('floorReq', 'floor'))} per call, ${us(inPlace('floorReqSig', 'floor'))} when it follows an AbortController's signal, as the one built from the transport's init does (its body stream, its internal AbortSignal and their garbage: a tight loop without I/O hides most of it), and handing \`fetch\` a Request instead of \`(url, init)\`, which our transport now does only for an injected fetch, costs ${us(inPlace('fetch', 'fetchUrl'))}.${token ? ` The CPU profile of token calls (default options) agrees: code reached from undici takes ${fmt.pct(share(token, 'undici'))} of the busy time, garbage collection ${fmt.pct(token.self.find((x) => x.label === 'garbage collection')?.share)}, ours ${fmt.pct(share(token, 'ours'))}, openapi-fetch ${fmt.pct(share(token, 'openapi-fetch'))}; serialisation is negligible (JSON body ${fmt.pct(token.inclusive.find((i) => i.label.includes('JSON'))?.share)}, URL and path ${fmt.pct(token.inclusive.find((i) => i.label.includes('URL'))?.share)}).` : ''}`);
  out.push(`- **AK/SK calls**: ${us(seq.get('3').median)}, ${fmt.x(r31.median)} of raw fetch${seq.has('4') ? ` and ${fmt.x(lat.ratio('3', '4').median)} of the SDK transport (${us(seq.get('4').median)})` : ''}. Signing adds ${us(stub.aksk?.median - stub.full?.median)} per call with a stub fetch (node:crypto, synchronous: a body digest, a canonical-request digest and an HMAC, plus reading the body and re-creating the Request, signed, from those bytes).${signing.sdk ? ` Signatures per second: ours ${fmt.int(signing.ours.perSec)} (${fmt.int(signing.ours.netPerSec)} net of building the Request), the SDK's signer ${fmt.int(signing.sdk.perSec)}; ours uses ${fmt.us(signing.ours.cpuPerCall)} µs of CPU per signature to the SDK's ${fmt.us(signing.sdk.cpuPerCall)}.` : ''}${aksk ? ` In the AK/SK profile our own code (mostly signing) takes ${fmt.pct(share(aksk, 'ours'))} of the busy time.` : ''}`);
  if (seq.has('5')) {
    const closed = (seq.get('2').median - seq.get('5').median) / (seq.get('2').median - seq.get('0').median);
    out.push(`- **node:http transport prototype**: ours over it takes ${us(seq.get('5').median)} with a token: ${fmt.x(lat.ratio('5', '1').median)} of raw fetch (from ${fmt.x(r21.median)} over undici) and ${fmt.x(lat.ratio('5', '0').median)} of the http.request floor (from ${fmt.x(lat.ratio('2', '0').median)}), ${closed >= 0 ? `so it closes ${fmt.pct(closed)} of the distance between ours and the floor` : 'so it is no closer to the floor than ours over fetch'}; with AK/SK it is ${fmt.x(lat.ratio('5s', '1').median)} of raw fetch${seq.has('4') ? ` and ${fmt.x(lat.ratio('5s', '4').median)} of the SDK transport` : ''}. What remains is our layers' Requests (as an injected fetch it is handed a Request the transport builds, reads that Request's body back and builds a Response) and, for AK/SK, the signing. Worth it only together with fewer Requests per call; not adopted: bench/README.md lists what it would have to prove first.`);
  }
  out.push(`- **Weight**: import ${fmt.delta(imports.ours.median - imports.node.median, ' ms')} over \`node -e 0\`${imports.sdkEcs ? ` (the SDK's ECS package ${fmt.delta(imports.sdkEcs.median - imports.node.median, ' ms')})` : ''}; ${bundles.bundles?.[0]?.gzip ? `bundle ${fmt.bytes(bundles.bundles[0].gzip)} gzipped` : ''}${ours ? `; install ${fmt.bytes(ours.bytes)} in ${ours.packages} packages` : ''}${footprints?.[1]?.bytes ? ` against the SDK's ${fmt.bytes(footprints[1].bytes)} (${fmt.bytes(footprints[1].diskBytes)} on disk) in ${footprints[1].packages}` : ''}.`);
  return out;
}

// ---- main ----

const m = machine();
const sdk = withSdk ? loadSdk() : { error: new Error('left out (BENCH_NO_SDK=1)') };
if (sdk.error) log(`SDK not loaded: ${sdk.error.message}`);

const bundles = await phase('bundle sizes', () => bundleSizes({ withSdk: !sdk.error }));
const footprints = process.env.BENCH_NO_FOOTPRINT === '1' ? undefined : await phase('install footprints', () => installFootprints({ withSdk: !sdk.error }));
const imports = await phase('cold imports', () => coldImports({ runs: cfg.importRuns, withSdk: !sdk.error }));
const check = await crossCheck(sdk);
if (!check.same) log('WARNING: the signatures differ', check);

const { port, child } = await startServer();
log(`server on 127.0.0.1:${port}`);
let lat, signing, layers;
const profiles = [];
try {
  lat = await phase('latency (sequential and concurrent)', () => latency(port, sdk));
  signing = await phase('signing', () => benchSigning({ sdk, rounds: cfg.profileRounds, n: cfg.signN, parallel: 32 }));
  layers = await phase('profile: layers', () => profileLayers({ port, rounds: cfg.profileRounds, stubN: cfg.stubN, netN: cfg.profileN }));
  await phase('profile: V8 CPU profiles', async () => {
    for (const mode of ['token', 'aksk']) {
      try {
        profiles.push(await cpuProfile({ port, mode, calls: cfg.cpuProfN }));
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
