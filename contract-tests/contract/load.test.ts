/**
 * Load: 1,000 concurrent stopServer calls against the Prism mock, through the real global fetch.
 * All must settle with 202; latency and peak RSS are reported; and once undici's idle keep-alive
 * sockets have expired no socket to the mock is left open (counted from this process's own file
 * descriptors in /proc, so other processes' connections to the mock are not counted).
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { createEcsClient, tokenAuth, type StopServerResult } from '../../src/index.js';
import { validProjectId, validServerId } from '../support/spec.js';

const targetUrl = inject('targetUrl');
const CALLS = 1_000;
const MB = 1024 * 1024;

/** This process's TCP sockets connected to `port` (any state), by their inode in /proc/net/tcp{,6}. */
function socketsTo(port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const remote = fields[2] ?? '';
      const inode = fields[9] ?? '';
      if (remote.endsWith(`:${portHex}`) && inodes.has(inode)) count++;
    }
  }
  return count;
}

const tcpHandles = () => process.getActiveResourcesInfo().filter((name) => /^TCP(SocketWrap|WRAP)$/.test(name)).length;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('load', () => {
  it(`${CALLS} concurrent stopServer calls against the mock: all settle with 202, no socket left open`, { timeout: 60_000 }, async () => {
    const port = Number(new URL(targetUrl).port);
    const client = createEcsClient({ endpoint: targetUrl, projectId: validProjectId, auth: tokenAuth('load-test-token'), retry: false, timeoutMs: 30_000 });
    const socketsBefore = socketsTo(port);
    const handlesBefore = tcpHandles();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakSockets = socketsBefore;
    let peakHandles = handlesBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 5);
    const socketSampler = setInterval(() => {
      peakSockets = Math.max(peakSockets, socketsTo(port));
      peakHandles = Math.max(peakHandles, tcpHandles());
    }, 100);

    const started = performance.now();
    const latencies: number[] = [];
    const outcomes = await Promise.allSettled(
      Array.from({ length: CALLS }, async () => {
        const t0 = performance.now();
        try {
          return await client.stopServer(validServerId);
        } finally {
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    clearInterval(socketSampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    const fulfilled = outcomes.filter((o): o is PromiseFulfilledResult<StopServerResult> => o.status === 'fulfilled');
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    const socketsAfterSettle = socketsTo(port);

    // undici keeps idle sockets for the server's keep-alive (Node's 5 s) less a second; wait them
    // out (a leak ends the test at its own timeout).
    const closeStarted = performance.now();
    let socketsAfter = socketsAfterSettle;
    while (socketsAfter > socketsBefore) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      socketsAfter = socketsTo(port);
    }
    const closeMs = performance.now() - closeStarted;
    const handlesAfter = tcpHandles();

    latencies.sort((a, b) => a - b);
    console.log(
      `load: ${CALLS} calls, ${outcomes.length} settled (${fulfilled.length} resolved 202, ${rejected.length} rejected) in ${Math.round(wallMs)} ms; ` +
        `latency p50 ${Math.round(percentile(latencies, 50))} ms, p99 ${Math.round(percentile(latencies, 99))} ms, max ${Math.round(latencies.at(-1)!)} ms; ` +
        `peak RSS ${(peakRss / MB).toFixed(0)} MB (+${((peakRss - rssBefore) / MB).toFixed(0)} MB); ` +
        `sockets to the mock: ${socketsBefore} before, peak ${peakSockets}, ${socketsAfterSettle} idle right after, ${socketsAfter} after ${(closeMs / 1000).toFixed(1)} s; ` +
        `TCP handles ${handlesBefore} before, peak ${peakHandles}, ${handlesAfter} after`,
    );
    if (rejected.length) console.log(`first rejection: ${String(rejected[0]!.reason)}`);

    expect(outcomes).toHaveLength(CALLS);
    expect(rejected).toEqual([]);
    expect(fulfilled.every((o) => o.value.status === 202)).toBe(true);
    // The count sees the connections (so that its 0 afterwards means something)...
    expect(peakSockets).toBeGreaterThan(socketsBefore);
    // ...and none is left once the pool's idle timeout has passed.
    expect(socketsAfter).toBe(socketsBefore);
    expect(handlesAfter).toBeLessThanOrEqual(handlesBefore);
  });
});
