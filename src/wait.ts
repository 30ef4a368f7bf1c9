import type { components } from '../generated/openapi.js';
import { EcsApiError } from './errors.js';
import { sleep } from './transport.js';
import { checkInteger } from './validate.js';
import { EcsInputError } from './input-error.js';

export type Server = components['schemas']['Server'];

export interface WaitOptions {
  /** How long to wait for SHUTOFF in all. Default 10 minutes. */
  timeoutMs?: number;
  /** First pause between reads; it grows by half each time. Default 1 s. */
  intervalMs?: number;
  /** Longest pause between reads. Default 10 s. */
  maxIntervalMs?: number;
  /** Called after every read of the server. */
  onProgress?: (progress: StopProgress) => void;
}

export interface StopProgress {
  serverId: string;
  status: Server['status'];
  taskState: string | null | undefined;
  vmState: string | undefined;
  elapsedMs: number;
  server: Server;
}

export type WaitFailure = 'error-state' | 'not-found' | 'timeout';

/** The stop was accepted, but the server did not reach SHUTOFF. */
export class EcsWaitError extends Error {
  override readonly name = 'EcsWaitError';
  readonly reason: WaitFailure;
  readonly serverId: string;
  /** The server as last read, if it was read at all. */
  readonly server: Server | undefined;

  constructor(reason: WaitFailure, serverId: string, message: string, server?: Server, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.serverId = serverId;
    this.server = server;
  }
}

export function checkWaitOptions(wait: true | WaitOptions) {
  const options = wait === true ? {} : wait;
  if (typeof options !== 'object' || options === null) throw new EcsInputError('wait', 'must be true or an object');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new EcsInputError('wait.onProgress', 'must be a function');
  }
  return {
    timeoutMs: checkInteger('wait.timeoutMs', options.timeoutMs ?? 600_000, 1, 2 ** 31 - 1),
    intervalMs: checkInteger('wait.intervalMs', options.intervalMs ?? 1_000, 1, 600_000),
    maxIntervalMs: checkInteger('wait.maxIntervalMs', options.maxIntervalMs ?? 10_000, 1, 600_000),
    onProgress: options.onProgress,
  };
}

/** Reads the server until it is SHUTOFF; fails on ERROR, on a 404 and on timeout. */
export async function waitForShutoff(
  serverId: string,
  read: () => Promise<Server>,
  options: ReturnType<typeof checkWaitOptions>,
  signal?: AbortSignal,
): Promise<Server> {
  const started = Date.now();
  let interval = options.intervalMs;
  let last: Server | undefined;
  for (;;) {
    try {
      last = await read();
    } catch (error) {
      if (error instanceof EcsApiError && error.status === 404) {
        throw new EcsWaitError('not-found', serverId, `Server ${serverId} disappeared while stopping`, last, error);
      }
      throw error;
    }
    const elapsedMs = Date.now() - started;
    options.onProgress?.({
      serverId,
      status: last.status,
      taskState: last['OS-EXT-STS:task_state'],
      vmState: last['OS-EXT-STS:vm_state'] ?? undefined,
      elapsedMs,
      server: last,
    });
    if (last.status === 'SHUTOFF') return last;
    if (last.status === 'ERROR') throw new EcsWaitError('error-state', serverId, `Server ${serverId} went to ERROR while stopping`, last);
    const remaining = options.timeoutMs - elapsedMs;
    if (remaining <= 0) {
      throw new EcsWaitError('timeout', serverId, `Server ${serverId} was not SHUTOFF after ${Math.round(elapsedMs / 1000)} s (status ${last.status})`, last);
    }
    await sleep(Math.min(interval, remaining), signal);
    interval = Math.min(options.maxIntervalMs, Math.ceil(interval * 1.5));
  }
}
