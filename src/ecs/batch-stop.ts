/**
 * Huawei's native batch stop (`POST /v1/{project_id}/cloudservers/action`): 1 to 1,000 servers in
 * one job, which `wait` follows to each server's outcome.
 */
import type { ClientCore, RequestOptions } from '../call.js';
import { checkRequestOptions } from '../call.js';
import { errorFromResponse, errorFromUnexpectedBody } from '../errors/api-error.js';
import { requestIdOf } from '../http.js';
import { checkOneOf, checkServerIds, patterns, stopTypes, type StopType } from '../validate.js';
import { checkWait } from '../poll.js';
import type { JobResult, JobWaitOptions } from './jobs.js';

export interface StopServersOptions extends RequestOptions {
  /** `SOFT` (default, graceful) or `HARD` (power off), for every server. */
  type?: StopType;
  /** Follow the job, then each server until SHUTOFF; the result then lists each server's outcome. */
  wait?: boolean | JobWaitOptions;
}

export interface StopServersResult {
  /** The job that stops the servers: follow it with `waitForJob`. */
  jobId: string;
  /** 200 (as Huawei documents) or 202. */
  status: 200 | 202;
  requestId: string | undefined;
  /** With `wait`: each server's outcome. */
  job?: JobResult;
}

type Follow = (jobId: string, options: JobWaitOptions & { signal?: AbortSignal }, expected: string[]) => Promise<JobResult>;

export function batchStop({ config, raw, perform }: ClientCore, follow: Follow) {
  const url = `${config.endpoint}/v1/${config.projectId}/cloudservers/action`;

  /** Asks ECS to stop 1 to 1,000 servers as one job; with `wait`, follows it to each server's outcome. */
  async function stopServers(serverIds: readonly string[], options: StopServersOptions = {}): Promise<StopServersResult> {
    const ids = checkServerIds(serverIds);
    checkRequestOptions(options);
    const type = options.type === undefined ? undefined : checkOneOf('type', options.type, stopTypes);
    const wait = options.wait === undefined || options.wait === false ? undefined : options.wait;
    if (wait !== undefined) checkWait(wait);
    const summary = { method: 'POST', url };
    const accepted = await perform(summary, options, async ({ init, redactor }) => {
      const result = await raw.POST('/v1/{project_id}/cloudservers/action', {
        ...init,
        params: { path: { project_id: config.projectId } },
        body: { 'os-stop': { ...(type !== undefined && { type }), servers: ids.map((id) => ({ id })) } },
        parseAs: 'text',
      });
      const { response } = result;
      if (response.status !== 200 && response.status !== 202) throw errorFromResponse(response, result.error, summary, redactor);
      const jobId = jobIdOf(result.data);
      if (jobId === undefined) throw errorFromUnexpectedBody(response, 'batch stop', 'a job_id', summary, redactor);
      return { jobId, status: response.status as 200 | 202, requestId: redactor.apply(requestIdOf(response)) };
    });
    if (wait === undefined) return accepted;
    const job = await follow(accepted.jobId, { ...(wait === true ? {} : wait), ...(options.signal && { signal: options.signal }) }, ids);
    return { ...accepted, job };
  }

  return { stopServers };
}

function jobIdOf(text: unknown): string | undefined {
  try {
    const body = JSON.parse(String(text)) as { job_id?: unknown } | null;
    const jobId = body?.job_id;
    return typeof jobId === 'string' && patterns.JobId.test(jobId) ? jobId : undefined;
  } catch {
    return undefined;
  }
}
