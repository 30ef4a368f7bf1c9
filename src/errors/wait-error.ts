import type { components } from '../../generated/openapi.js';
import { EcsError } from './ecs-error.js';

type Server = components['schemas']['Server'];

export type WaitFailure = 'error-state' | 'not-found' | 'timeout';

/** The stop was accepted, but the server did not reach SHUTOFF. */
export class EcsWaitError extends EcsError {
  override readonly name = 'EcsWaitError';
  readonly reason: WaitFailure;
  readonly serverId: string;
  readonly #server: Server | undefined;

  constructor(reason: WaitFailure, serverId: string, message: string, server?: Server, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.serverId = serverId;
    this.#server = server;
  }

  /**
   * The server as last read, if it was read at all. The server's own words: kept out of every
   * rendering of the error (`JSON.stringify`, `util.inspect`), where it could show a credential.
   */
  get server(): Server | undefined {
    return this.#server;
  }

  toJSON() {
    const { name, message, reason, serverId } = this;
    return { name, message, reason, serverId };
  }
}

type Job = components['schemas']['Job'];

export type JobWaitFailure = 'not-found' | 'timeout';

/** A batch action was accepted as a job, but the job could not be followed to its end. */
export class EcsJobWaitError extends EcsError {
  override readonly name = 'EcsJobWaitError';
  readonly reason: JobWaitFailure;
  readonly jobId: string;
  readonly #job: Job | undefined;

  constructor(reason: JobWaitFailure, jobId: string, message: string, job?: Job, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.jobId = jobId;
    this.#job = job;
  }

  /** The job as last read, if it was read at all; kept out of every rendering, as `EcsWaitError.server` is. */
  get job(): Job | undefined {
    return this.#job;
  }

  toJSON() {
    const { name, message, reason, jobId } = this;
    return { name, message, reason, jobId };
  }
}
