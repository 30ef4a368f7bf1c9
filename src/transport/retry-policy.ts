/**
 * When a failed attempt is tried again, and after how long: only where repeating it is safe
 * (a 429 or 503, which Nova and ECS send before acting, and a connection that never opened),
 * with exponential backoff and full jitter, and a server's Retry-After honoured up to a cap.
 */
import { causes } from '../errors/cause.js';
import { EcsInputError } from '../errors/input-error.js';
import { retryAfterSeconds, type ResponseHead } from '../http.js';
import { checkInteger } from '../validate.js';

export interface RetryOptions {
  /** Further attempts after the first. Default 2. */
  retries?: number;
  /** First backoff step. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest wait between attempts, Retry-After included. Default 20 s. */
  maxDelayMs?: number;
}

export interface RetryPolicy {
  readonly retries: number;
  /** The pause before attempt `attempt + 1` after a retryable response, or `undefined` for none. */
  delayAfterResponse(response: ResponseHead, attempt: number): number | undefined;
  /** The pause before attempt `attempt + 1` after a failure without response, or `undefined` for none. */
  delayAfterFailure(error: unknown, attempt: number): number | undefined;
}

// Failures that happen before the request leaves this machine, so a retry cannot repeat it.
const connectFailures = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);

export function isConnectFailure(error: unknown): boolean {
  for (const each of causes(error)) if (typeof each.code === 'string' && connectFailures.has(each.code)) return true;
  return false;
}

/** The policy for the client's `retry` option (`false` for none); throws EcsInputError for a bad one. */
export function retryPolicy(options: RetryOptions | false | undefined, random: () => number = Math.random): RetryPolicy {
  // `retry: 0` or `true` would otherwise mean the default of 2 retries.
  if (options != null && options !== false && typeof options !== 'object') {
    throw new EcsInputError('retry', 'must be false or an object such as { retries: 2 }');
  }
  const given = options === false ? { retries: 0 } : (options ?? {});
  const retries = checkInteger('retry.retries', given.retries ?? 2, 0, 10);
  const baseDelayMs = checkInteger('retry.baseDelayMs', given.baseDelayMs ?? 500, 0, 600_000);
  const maxDelayMs = checkInteger('retry.maxDelayMs', given.maxDelayMs ?? 20_000, 0, 600_000);
  const backoff = (attempt: number) => random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
  return {
    retries,
    delayAfterResponse(response, attempt) {
      if ((response.status !== 429 && response.status !== 503) || attempt >= retries) return undefined;
      const asked = retryAfterSeconds(response.headers.get('retry-after'));
      return Math.min(maxDelayMs, asked === undefined ? backoff(attempt) : asked * 1000);
    },
    delayAfterFailure(error, attempt) {
      return attempt < retries && isConnectFailure(error) ? backoff(attempt) : undefined;
    },
  };
}
