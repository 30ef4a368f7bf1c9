/** Waiting for a stopped server: read it until SHUTOFF, fail on ERROR, on a 404 and at the deadline. */
import type { components } from '../../generated/openapi.js';
import { EcsApiError } from '../errors/api-error.js';
import { EcsWaitError } from '../errors/wait-error.js';
import { checkWait, poll, type PollOptions, type PollSchedule } from '../poll.js';
import { serverStatuses } from '../validate.js';

export type Server = components['schemas']['Server'];

export interface WaitOptions extends PollOptions {
  /** How long to wait for SHUTOFF in all. Default 10 minutes. */
  timeoutMs?: number;
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

export interface ServerWait extends PollSchedule {
  onProgress: WaitOptions['onProgress'];
}

export const checkWaitOptions = (wait: true | WaitOptions): ServerWait => checkWait(wait);

const statusText = (server: Server | undefined) =>
  server === undefined ? 'never read' : (serverStatuses as readonly string[]).includes(server.status) ? `status ${server.status}` : 'an unexpected status';

/** Reads the server (with `read`) until it is SHUTOFF. */
export function waitForShutoff(
  serverId: string,
  read: (signal: AbortSignal) => Promise<Server>,
  options: ServerWait,
  signal?: AbortSignal,
): Promise<Server> {
  return poll<Server>(
    {
      read,
      isDone(server, elapsedMs) {
        options.onProgress?.({
          serverId,
          status: server.status,
          taskState: server['OS-EXT-STS:task_state'],
          vmState: server['OS-EXT-STS:vm_state'] ?? undefined,
          elapsedMs,
          server,
        });
        if (server.status === 'ERROR') throw new EcsWaitError('error-state', serverId, `Server ${serverId} went to ERROR while stopping`, server);
        return server.status === 'SHUTOFF';
      },
      readFailed(error, last) {
        return error instanceof EcsApiError && error.status === 404
          ? new EcsWaitError('not-found', serverId, `Server ${serverId} disappeared while stopping`, last, error)
          : error;
      },
      timedOut(last, elapsedMs) {
        const seconds = Math.round(elapsedMs / 1000);
        return new EcsWaitError('timeout', serverId, `Server ${serverId} was not SHUTOFF after ${seconds} s (${statusText(last)})`, last);
      },
    },
    options,
    signal,
  );
}
