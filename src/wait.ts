import type { components } from '../generated/openapi.js';
import { EcsApiError } from './errors.js';
import { boundedSignal, sleep } from './abort.js';
import { checkInteger, serverStatuses } from './validate.js';
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

export function checkWaitOptions(wait: true | WaitOptions) {
  const options = wait === true ? {} : wait;
  if (typeof options !== 'object' || options === null) throw new EcsInputError('wait', 'must be true or an object');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new EcsInputError('wait.onProgress', 'must be a function');
  }
  const maxIntervalMs = checkInteger('wait.maxIntervalMs', options.maxIntervalMs ?? 10_000, 1, 600_000);
  return {
    timeoutMs: checkInteger('wait.timeoutMs', options.timeoutMs ?? 600_000, 1, 2 ** 31 - 1),
    // maxIntervalMs bounds every pause, the first one too.
    intervalMs: Math.min(maxIntervalMs, checkInteger('wait.intervalMs', options.intervalMs ?? 1_000, 1, 600_000)),
    maxIntervalMs,
    onProgress: options.onProgress,
  };
}

const statusText = (server: Server | undefined) =>
  server === undefined ? 'never read' : (serverStatuses as readonly string[]).includes(server.status) ? `status ${server.status}` : 'an unexpected status';

/**
 * Reads the server until it is SHUTOFF; fails on ERROR, on a 404 and once `timeoutMs` has passed,
 * a read in flight included (`read` gets a signal that aborts then, or with the caller's).
 */
export async function waitForShutoff(
  serverId: string,
  read: (signal: AbortSignal) => Promise<Server>,
  options: ReturnType<typeof checkWaitOptions>,
  signal?: AbortSignal,
): Promise<Server> {
  const started = Date.now();
  const deadline = boundedSignal(signal, options.timeoutMs);
  let interval = options.intervalMs;
  let last: Server | undefined;
  try {
    for (;;) {
      try {
        last = await read(deadline.signal);
      } catch (error) {
        if (!deadline.timedOut() && error instanceof EcsApiError && error.status === 404) {
          throw new EcsWaitError('not-found', serverId, `Server ${serverId} disappeared while stopping`, last, error);
        }
        throw error;
      }
      options.onProgress?.({
        serverId,
        status: last.status,
        taskState: last['OS-EXT-STS:task_state'],
        vmState: last['OS-EXT-STS:vm_state'] ?? undefined,
        elapsedMs: Date.now() - started,
        server: last,
      });
      if (last.status === 'SHUTOFF') return last;
      if (last.status === 'ERROR') throw new EcsWaitError('error-state', serverId, `Server ${serverId} went to ERROR while stopping`, last);
      await sleep(interval, deadline.signal);
      interval = Math.min(options.maxIntervalMs, Math.ceil(interval * 1.5));
    }
  } catch (error) {
    // Whatever the deadline cut short (a read, a retry's pause, the pause between reads) is a timeout.
    if (error instanceof EcsWaitError || !deadline.timedOut()) throw error;
    const seconds = Math.round((Date.now() - started) / 1000);
    throw new EcsWaitError('timeout', serverId, `Server ${serverId} was not SHUTOFF after ${seconds} s (${statusText(last)})`, last);
  } finally {
    deadline.done();
  }
}
