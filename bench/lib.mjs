// Measuring helpers: sequential and concurrent batches, statistics, alternating rounds.

export const env = (name, fallback) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${name} must be a positive number, not ${value}`);
  return number;
};

const now = () => process.hrtime.bigint();
const gc = globalThis.gc ?? (() => {});

/** `n` calls one after another; latencies in microseconds, wall and CPU time of the batch. */
export async function sequential(call, n) {
  gc();
  const latencies = new Float64Array(n);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const start = now();
    await call();
    latencies[i] = Number(now() - start) / 1000;
  }
  const wallUs = Number(now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { latencies, wallUs, cpuUs: cpu.user + cpu.system, calls: n };
}

/** `n` calls, `c` of them in flight at any time (a closed loop of `c` workers). */
export async function concurrent(call, n, c) {
  gc();
  const latencies = new Float64Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const start = now();
      await call();
      latencies[i] = Number(now() - start) / 1000;
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = now();
  await Promise.all(Array.from({ length: Math.min(c, n) }, worker));
  const wallUs = Number(now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { latencies, wallUs, cpuUs: cpu.user + cpu.system, calls: n };
}

export function sorted(values) {
  return Float64Array.from(values).sort();
}

/** Nearest-rank percentile of an already sorted array. */
export function percentile(sortedValues, p) {
  if (sortedValues.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sortedValues.length);
  return sortedValues[Math.min(sortedValues.length - 1, Math.max(0, rank - 1))];
}

export const median = (values) => percentile(sorted(values), 50);

/**
 * Runs every contender once per round, the order rotated each round (so each one takes every
 * position in turn) and reversed on odd rounds; a short unmeasured warm-up precedes each batch.
 * Returns per-contender arrays of batch results, in round order.
 */
export async function alternate(contenders, rounds, runBatch, { warmup = 0, onRound } = {}) {
  const results = new Map(contenders.map((c) => [c.id, []]));
  for (let round = 0; round < rounds; round++) {
    let order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
    if (round % 2 === 1) order = order.reverse();
    for (const contender of order) {
      for (let i = 0; i < warmup; i++) await contender.call();
      results.get(contender.id).push(await runBatch(contender));
    }
    onRound?.(round);
  }
  return results;
}

/** Pools the batches of one contender: latency percentiles, throughput, CPU per call, per-round medians. */
export function summarise(batches) {
  const all = sorted(concat(batches.map((b) => b.latencies)));
  const calls = batches.reduce((s, b) => s + b.calls, 0);
  const wallUs = batches.reduce((s, b) => s + b.wallUs, 0);
  const cpuUs = batches.reduce((s, b) => s + b.cpuUs, 0);
  return {
    calls,
    median: percentile(all, 50),
    p99: percentile(all, 99),
    rps: calls / (wallUs / 1e6),
    cpuPerCall: cpuUs / calls,
    roundMedians: batches.map((b) => median(b.latencies)),
    roundWallPerCall: batches.map((b) => b.wallUs / b.calls),
  };
}

/** The median over rounds of (this round's value / the reference's value in the same round). */
export function roundRatio(values, reference) {
  const ratios = values.map((v, i) => v / reference[i]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

function concat(arrays) {
  const out = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

export const fmt = {
  us: (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : 'n/a'),
  int: (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a'),
  /** A difference, always signed: +12.3 or −4.5 (a true minus sign; no "+-"). */
  delta: (v, unit = '') => {
    if (!Number.isFinite(v)) return 'n/a';
    const a = Math.abs(v);
    const digits = a >= 100 ? 0 : 1;
    if (Number(a.toFixed(digits)) === 0) return `±0${unit}`;
    return `${v < 0 ? '−' : '+'}${a.toFixed(digits)}${unit}`;
  },
  x: (v) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a'),
  ms: (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a'),
  pct: (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : 'n/a'),
  bytes: (v) => {
    if (!Number.isFinite(v)) return 'n/a';
    if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(2)} MiB`;
    if (v >= 1024) return `${(v / 1024).toFixed(1)} KiB`;
    return `${v} B`;
  },
};

/** A Markdown table; `align` has one letter per column, `l` or `r` (default: first two left). */
export function table(header, rows, align) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const a = align ?? header.map((_, i) => (i < 2 ? 'l' : 'r')).join('');
  return [line(header), line(header.map((_, i) => (a[i] === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** An auth called as the client calls it, with a context that sends nothing. */
export const authorize = (auth, request) =>
  Promise.resolve(auth.authorize(request, { signal: new AbortController().signal, fetch: () => Promise.reject(new Error('no fetch')), registerSecret() {} }));

/** An auth as openapi-fetch middleware, for a bare openapi-fetch client. */
export const asMiddleware = (auth) => ({ onRequest: ({ request }) => authorize(auth, request) });
