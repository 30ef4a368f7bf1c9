/**
 * Huawei's ECS jobs (`/v1/{project_id}/jobs/{job_id}`): read one, and follow one to its end, then
 * each server it stopped until SHUTOFF (a job has been seen to say SUCCESS before its servers were
 * off), into one outcome per server.
 */
import type { components } from '../../generated/openapi.js';
import { checkRequestOptions, type ClientCore, type RequestOptions } from '../call.js';
import { EcsApiError, errorFromResponse, errorFromUnexpectedBody } from '../errors/api-error.js';
import { EcsJobWaitError, EcsWaitError, type WaitFailure } from '../errors/wait-error.js';
import { waitForShutoff, type Server, type StopProgress } from '../nova/server-wait.js';
import { checkWait, poll, type PollOptions, type PollSchedule } from '../poll.js';
import { eachInPool } from '../pool.js';
import { checkJobId, jobStatuses } from '../validate.js';

export type Job = components['schemas']['Job'];
export type JobStatus = components['schemas']['JobStatus'];

export interface JobWaitOptions extends PollOptions {
  /** How long to wait in all, for the job and then its servers. Default 10 minutes. */
  timeoutMs?: number;
  /** Called after every read of the job, then of each server. */
  onProgress?: (progress: JobProgress) => void;
}

export type JobProgress =
  | {
      phase: 'job';
      jobId: string;
      status: JobStatus;
      /** Each server's sub-job as last read. */
      servers: { serverId: string; status: JobStatus }[];
      elapsedMs: number;
      job: Job;
    }
  | ({ phase: 'server'; jobId: string } & StopProgress);

export interface ServerOutcome {
  serverId: string;
  /** `stopped`: SHUTOFF. `failed`: its sub-job failed, or the server did not reach SHUTOFF. */
  outcome: 'stopped' | 'failed';
  /** Why it failed: its sub-job (`job`), or what reading it found. */
  reason?: 'job' | WaitFailure;
  /** The sub-job's `errorcode_message` (or `fail_reason`), or what the wait found. */
  message?: string;
  /** The sub-job's `error_code`, such as `Ecs.0100`. */
  code?: string;
  /** The server as last read. */
  server?: Server;
}

export interface JobResult {
  jobId: string;
  /** The job's final status. */
  status: 'SUCCESS' | 'FAIL';
  /** Every server stopped. */
  ok: boolean;
  servers: ServerOutcome[];
}

export interface EcsJobs {
  /** Reads a job (Huawei's ShowJob). */
  getJob(jobId: string, options?: RequestOptions): Promise<Job>;
  /** Follows a job until SUCCESS or FAIL, then each server it stopped until SHUTOFF. */
  waitForJob(jobId: string, options?: JobWaitOptions & { signal?: AbortSignal }): Promise<JobResult>;
}

/** How many servers are read at once after a job. */
const SERVER_READS_IN_FLIGHT = 8;

export function ecsJobs({ config, raw, perform }: ClientCore, getServer: (serverId: string, options: RequestOptions) => Promise<Server>) {
  async function getJob(jobId: string, options: RequestOptions = {}): Promise<Job> {
    const job_id = checkJobId(jobId);
    const summary = { method: 'GET', url: `${config.endpoint}/v1/${config.projectId}/jobs/${job_id}` };
    return perform(summary, options, async ({ init, redactor }) => {
      const result = await raw.GET('/v1/{project_id}/jobs/{job_id}', {
        ...init,
        params: { path: { project_id: config.projectId, job_id } },
        parseAs: 'text',
      });
      const { response } = result;
      if (response.status !== 200) throw errorFromResponse(response, result.error, summary, redactor);
      const job = parseJob(result.data);
      if (!job) throw errorFromUnexpectedBody(response, 'job read', 'a job object', summary, redactor);
      return job;
    });
  }

  /** `expected`: the servers the caller asked to stop, for a job that lists no sub-jobs. */
  async function follow(jobId: string, options: JobWaitOptions & { signal?: AbortSignal }, expected?: string[]): Promise<JobResult> {
    const { signal } = options;
    const { onProgress, ...wait } = checkWait(options);
    const started = Date.now();
    const job = await poll<Job>(
      {
        read: (signal) => getJob(jobId, { signal }),
        isDone(job, elapsedMs) {
          onProgress?.({ phase: 'job', jobId, status: job.status, servers: subJobs(job).map(({ serverId, status }) => ({ serverId, status })), elapsedMs, job });
          return job.status === 'SUCCESS' || job.status === 'FAIL';
        },
        readFailed: (error, last) =>
          error instanceof EcsApiError && error.status === 404
            ? new EcsJobWaitError('not-found', jobId, `Job ${jobId} was not found while following it`, last, error)
            : error,
        timedOut(last, elapsedMs) {
          const status = last === undefined ? 'never read' : (jobStatuses as readonly string[]).includes(last.status) ? `status ${last.status}` : 'an unexpected status';
          return new EcsJobWaitError('timeout', jobId, `Job ${jobId} had not ended after ${Math.round(elapsedMs / 1000)} s (${status})`, last);
        },
      },
      wait,
      signal,
    );
    const outcomes = new Map<string, ServerOutcome>();
    for (const sub of subJobs(job)) {
      if (sub.status !== 'SUCCESS') {
        outcomes.set(sub.serverId, { serverId: sub.serverId, outcome: 'failed', reason: 'job', ...failureOf(sub.job) });
      }
    }
    // The servers asked for (when known) and the job's: one the job leaves out is judged by its status.
    const listed = subJobs(job).map((sub) => sub.serverId);
    const order = [...new Set([...(expected ?? []), ...listed])];
    if (job.status === 'FAIL') {
      for (const serverId of order) {
        if (!listed.includes(serverId)) outcomes.set(serverId, { serverId, outcome: 'failed', reason: 'job', ...failureOf(job) });
      }
    }
    const toConfirm = order.filter((serverId) => !outcomes.has(serverId));
    // One deadline for the whole wait: a server read late in a large batch gets what is left.
    const deadline = started + wait.timeoutMs;
    await eachInPool(toConfirm, SERVER_READS_IN_FLIGHT, signal, async (serverId, poolSignal) => {
      const progress = onProgress && ((p: StopProgress) => onProgress({ phase: 'server', jobId, ...p }));
      const schedule: PollSchedule = { ...wait, timeoutMs: Math.max(1, deadline - Date.now()) };
      try {
        const server = await waitForShutoff(serverId, (readSignal) => getServer(serverId, { signal: readSignal }), { ...schedule, onProgress: progress }, poolSignal);
        outcomes.set(serverId, { serverId, outcome: 'stopped', server });
      } catch (error) {
        if (!(error instanceof EcsWaitError)) throw error;
        outcomes.set(serverId, { serverId, outcome: 'failed', reason: error.reason, message: error.message, ...(error.server && { server: error.server }) });
      }
    });
    const results = order.flatMap((serverId) => outcomes.get(serverId) ?? []);
    const status = job.status as 'SUCCESS' | 'FAIL';
    return { jobId, status, ok: status === 'SUCCESS' && results.every((r) => r.outcome === 'stopped'), servers: results };
  }

  return {
    getJob,
    async waitForJob(jobId: string, options: JobWaitOptions & { signal?: AbortSignal } = {}): Promise<JobResult> {
      checkRequestOptions(options);
      return follow(checkJobId(jobId), options);
    },
    follow,
  };
}

interface SubJobView {
  serverId: string;
  status: JobStatus;
  job: components['schemas']['SubJob'];
}

/** The job's sub-jobs that name a server. */
function subJobs(job: Job): SubJobView[] {
  const list = job.entities?.sub_jobs;
  if (!Array.isArray(list)) return [];
  return list.flatMap((sub) => {
    const serverId = sub?.entities?.server_id;
    return typeof serverId === 'string' ? [{ serverId, status: sub.status, job: sub }] : [];
  });
}

function failureOf(job: Job | components['schemas']['SubJob']): { message?: string; code?: string } {
  const entities = job.entities as { errorcode_message?: unknown } | undefined;
  const message = [entities?.errorcode_message, job.fail_reason].find((m): m is string => typeof m === 'string' && m !== '');
  const code = typeof job.error_code === 'string' && job.error_code !== '' ? job.error_code : undefined;
  return { ...(message !== undefined && { message }), ...(code !== undefined && { code }) };
}

function parseJob(text: unknown): Job | undefined {
  try {
    const job = JSON.parse(String(text)) as Partial<Job> | null;
    return typeof job === 'object' && job !== null && typeof job.job_id === 'string' && typeof job.status === 'string' ? (job as Job) : undefined;
  } catch {
    return undefined;
  }
}
