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
 * With `budgetMs`, stops early once another round would end past the budget (never before
 * `minRounds`). Returns per-contender arrays of batch results, in round order, and the rounds run.
 */
export async function alternate(contenders, rounds, runBatch, { warmup = 0, onRound, budgetMs = Infinity, minRounds = 1 } = {}) {
  const results = new Map(contenders.map((c) => [c.id, []]));
  const t0 = Date.now();
  let done = 0;
  for (let round = 0; round < rounds; round++) {
    let order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
    if (round % 2 === 1) order = order.reverse();
    for (const contender of order) {
      for (let i = 0; i < warmup; i++) await contender.call();
      results.get(contender.id).push(await runBatch(contender));
    }
    done = round + 1;
    onRound?.(round);
    const elapsed = Date.now() - t0;
    if (done >= minRounds && done < rounds && elapsed + elapsed / done > budgetMs) break;
  }
  results.rounds = done;
  return results;
}

/**
 * Pools the batches of one contender (latency percentiles, throughput, CPU per call) and keeps
 * the per-round figures: median latency, wall time per call, CPU per call.
 */
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
    roundCpuPerCall: batches.map((b) => b.cpuUs / b.calls),
  };
}

/** min, median and max of some values (rounds). */
export function spread(values) {
  const s = sorted(values);
  return { min: s[0], median: percentile(s, 50), max: s[s.length - 1], n: s.length };
}

/** Per round: this round's value / the reference's value in the same round. */
export const perRound = (values, reference) => values.map((v, i) => v / reference[i]);

/** The spread over rounds of the per-round ratio (min, median, max). */
export const roundRatio = (values, reference) => spread(perRound(values, reference));

/**
 * A distribution-free confidence interval for the median of `values`: the order statistics
 * x(k) and x(n+1-k), with the largest k whose coverage, 1 - 2·P(Binomial(n, 1/2) ≤ k-1), is at
 * least `level`. It assumes only that the rounds are independent draws, not that they are normal,
 * and a round disturbed by other load, however far off, shifts it by one order statistic at most.
 * Below 6 values no interval reaches 95 %:
 * `low` and `high` are then -Infinity and Infinity.
 */
export function medianInterval(values, level = 0.95) {
  const s = sorted(values);
  const n = s.length;
  let k = 0;
  let coverage = 1;
  let cdf = 0; // P(B ≤ j-1) as j grows
  let pmf = 2 ** -n; // P(B = j)
  for (let j = 1; j <= Math.floor(n / 2); j++) {
    cdf += pmf; // now P(B ≤ j-1)
    pmf = (pmf * (n - j + 1)) / j;
    const c = 1 - 2 * cdf;
    if (c < level) break;
    k = j;
    coverage = c;
  }
  if (k === 0) return { low: -Infinity, high: Infinity, coverage: NaN, n };
  return { low: s[k - 1], high: s[n - k], coverage, n };
}

/**
 * A verdict on a ratio from its per-round values: `met` when the whole interval is on the good
 * side of the threshold, `not met` when the whole interval is on the bad side, `undecided` when
 * it straddles the threshold. The target is value ≤ threshold, or value < threshold with `strict`.
 */
export function verdictOf(values, threshold, { strict = false, level = 0.95 } = {}) {
  const ci = medianInterval(values, level);
  const { median: mid, min, max, n } = spread(values);
  const good = (v) => (strict ? v < threshold : v <= threshold);
  const verdict = n === 0 ? 'n/a' : good(ci.high) ? 'met' : !good(ci.low) ? 'not met' : 'undecided';
  return { verdict, median: mid, min, max, n, low: ci.low, high: ci.high, coverage: ci.coverage };
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
  /** A median with its spread: `1.05 (0.91–1.22)`; `f` formats each number. */
  range: (r, f = (v) => v.toFixed(2)) => (r && Number.isFinite(r.median) ? `${f(r.median)} (${f(r.min)}–${f(r.max)})` : 'n/a'),
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
