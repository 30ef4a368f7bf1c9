/**
 * Stopping several servers: Huawei's batch API in batches of at most 1,000, a minute apart (its
 * limit is 1,000 servers a minute), or Nova's action on each; and --dry-run's reads. Every server
 * ends with an outcome, so that one report can say what became of each.
 */
import type { EcsClient } from '../client.js';
import type { JobProgress, JobResult, ServerOutcome } from '../ecs/jobs.js';
import { EcsApiError } from '../errors/api-error.js';
import { EcsJobWaitError, EcsWaitError } from '../errors/wait-error.js';
import { eachInPool } from '../pool.js';
import type { StopProgress } from '../nova/server-wait.js';
import { maxBatchServers, type StopType } from '../validate.js';
import type { Resolved } from './targets.js';

export type Outcome =
  /** The stop was accepted (without --wait). */
  | 'accepted'
  /** SHUTOFF (with --wait). */
  | 'stopped'
  /** Already stopped, and --ok-if-stopped made that a success. */
  | 'already-stopped'
  /** The stop itself failed: its part of the job, or its request. */
  | 'failed'
  /** The stop was accepted, but the server did not reach SHUTOFF (with --wait). */
  | 'not-stopped'
  /** Never sent: an earlier request failed. */
  | 'not-sent';

export interface FleetServer {
  serverId: string;
  /** The name it was given by. */
  name?: string;
  outcome: Outcome;
  jobId?: string;
  /** The server's status as last read. */
  status?: string;
  code?: string;
  message?: string;
  reason?: string;
}

export interface FleetJob {
  jobId: string;
  httpStatus: number;
  requestId: string | undefined;
  serverIds: string[];
  /** With --wait: how the job ended. */
  status?: 'SUCCESS' | 'FAIL';
}

export interface Fleet {
  api: 'batch' | 'nova';
  servers: FleetServer[];
  jobs: FleetJob[];
  /** A request that failed after others had been sent (the servers after it were not sent). */
  failure?: EcsApiError;
}

/** What progress a fleet reports: a job's, or a server's as it is read. */
export type FleetProgress = JobProgress | ({ phase: 'server' } & StopProgress);

export interface FleetOptions {
  type: StopType | undefined;
  /** With --wait: how long in all, per batch. */
  waitTimeoutMs: number | undefined;
  okIfStopped: boolean;
  signal: AbortSignal;
  onProgress: ((progress: FleetProgress) => void) | undefined;
  /** Waits `ms` before the next batch (said first through `onPause`). */
  pause: (ms: number, signal: AbortSignal) => Promise<void>;
  onPause?: (ms: number, batch: number, batches: number) => void;
  now: () => number;
}

/** Huawei stops at most 1,000 servers a minute: batches go out at least this far apart. */
export const BATCH_SPACING_MS = 60_000;
const READS_IN_FLIGHT = 8;

/** Each server as it stands before anything is sent. */
const notSent = (targets: Resolved[]): FleetServer[] =>
  targets.map(({ serverId, name }) => ({ serverId, ...(name !== undefined && { name }), outcome: 'not-sent' }));

export async function stopWithBatches(client: EcsClient, targets: Resolved[], options: FleetOptions): Promise<Fleet> {
  const servers = notSent(targets);
  const byId = new Map(servers.map((server) => [server.serverId, server]));
  const fleet: Fleet = { api: 'batch', servers, jobs: [] };
  const follows: Promise<void>[] = [];
  let lastSent: number | undefined;
  for (let start = 0, batch = 1; start < servers.length; start += maxBatchServers, batch++) {
    const ids = servers.slice(start, start + maxBatchServers).map((server) => server.serverId);
    if (lastSent !== undefined) {
      const ms = lastSent + BATCH_SPACING_MS - options.now();
      if (ms > 0) {
        options.onPause?.(ms, batch, Math.ceil(servers.length / maxBatchServers));
        await options.pause(ms, options.signal);
      }
    }
    lastSent = options.now();
    let accepted;
    try {
      accepted = await client.stopServers(ids, { signal: options.signal, ...(options.type !== undefined && { type: options.type }) });
    } catch (error) {
      if (options.signal.aborted || !(error instanceof EcsApiError)) throw error;
      fleet.failure = error;
      break;
    }
    const job: FleetJob = { jobId: accepted.jobId, httpStatus: accepted.status, requestId: accepted.requestId, serverIds: ids };
    fleet.jobs.push(job);
    for (const id of ids) Object.assign(byId.get(id)!, { outcome: 'accepted', jobId: job.jobId });
    if (options.waitTimeoutMs !== undefined) follows.push(follow(client, job, byId, options));
  }
  await Promise.all(follows);
  return fleet;
}

async function follow(client: EcsClient, job: FleetJob, byId: Map<string, FleetServer>, options: FleetOptions): Promise<void> {
  let result: JobResult;
  try {
    result = await client.waitForJob(job.jobId, {
      timeoutMs: options.waitTimeoutMs!,
      signal: options.signal,
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
  } catch (error) {
    if (options.signal.aborted || !(error instanceof EcsJobWaitError || error instanceof EcsApiError)) throw error;
    const reason = error instanceof EcsJobWaitError ? `job-${error.reason}` : 'job-unreadable';
    for (const id of job.serverIds) Object.assign(byId.get(id)!, { outcome: 'not-stopped', reason, message: error.message });
    return;
  }
  job.status = result.status;
  for (const outcome of result.servers) {
    const server = byId.get(outcome.serverId);
    if (server) Object.assign(server, await outcomeOf(client, outcome, options));
  }
}

/** A job's outcome for one server; with --ok-if-stopped, a failed one is read in case it was already off. */
async function outcomeOf(client: EcsClient, outcome: ServerOutcome, options: FleetOptions): Promise<Partial<FleetServer>> {
  if (outcome.outcome === 'stopped') return { outcome: 'stopped', status: 'SHUTOFF' };
  const status = outcome.server?.status;
  const details = {
    ...(status !== undefined && { status }),
    ...(outcome.code !== undefined && { code: outcome.code }),
    ...(outcome.message !== undefined && { message: outcome.message }),
    ...(outcome.reason !== undefined && { reason: outcome.reason }),
  };
  if (outcome.reason !== 'job') return { outcome: 'not-stopped', ...details };
  if (options.okIfStopped) {
    const now = await client.getServer(outcome.serverId, { signal: options.signal }).catch((error: unknown) => {
      if (options.signal.aborted) throw error;
      return undefined;
    });
    if (now?.status === 'SHUTOFF') return { outcome: 'already-stopped', ...details, status: 'SHUTOFF' };
  }
  return { outcome: 'failed', ...details };
}

/** Nova's action on each server (--api nova), a few at a time; each server's failure is its own. */
export async function stopEachWithNova(client: EcsClient, targets: Resolved[], options: FleetOptions): Promise<Fleet> {
  const servers = notSent(targets);
  const failures: EcsApiError[] = [];
  await eachInPool(servers, READS_IN_FLIGHT, options.signal, async (server) => {
    try {
      const result = await client.stopServer(server.serverId, {
        signal: options.signal,
        ...(options.type !== undefined && { type: options.type }),
        ...(options.okIfStopped && { ifAlreadyStopped: 'ok' as const }),
        ...(options.waitTimeoutMs !== undefined && {
          wait: {
            timeoutMs: options.waitTimeoutMs,
            ...(options.onProgress && { onProgress: (p: StopProgress) => options.onProgress!({ phase: 'server', ...p }) }),
          },
        }),
      });
      const outcome: Outcome = result.alreadyStopped ? 'already-stopped' : result.server ? 'stopped' : 'accepted';
      Object.assign(server, { outcome, ...(result.server && { status: result.server.status }) });
    } catch (error) {
      if (options.signal.aborted) throw error;
      if (error instanceof EcsWaitError) {
        Object.assign(server, { outcome: 'not-stopped', reason: error.reason, message: error.message, ...(error.server && { status: error.server.status }) });
      } else if (error instanceof EcsApiError) {
        Object.assign(server, { outcome: 'failed', ...(error.code !== undefined && { code: error.code }), message: error.message, reason: error.kind });
        failures.push(error);
      } else {
        throw error;
      }
    }
  });
  // Nothing accepted at all: the first error is the run's (exit 3 or 4, as for one server).
  const [first] = failures;
  return { api: 'nova', servers, jobs: [], ...(first !== undefined && failures.length === servers.length && { failure: first }) };
}

export interface DryRunServer {
  serverId: string;
  name?: string;
  status: string;
}

/** --dry-run: reads every server (so credentials, permission and existence are checked), stops none. */
export async function readAll(client: EcsClient, targets: Resolved[], signal: AbortSignal): Promise<DryRunServer[]> {
  const read: DryRunServer[] = targets.map(({ serverId, name }) => ({ serverId, ...(name !== undefined && { name }), status: '' }));
  await eachInPool(read, READS_IN_FLIGHT, signal, async (entry) => {
    entry.status = (await client.getServer(entry.serverId, { signal })).status;
  });
  return read;
}
