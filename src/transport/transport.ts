/**
 * The seam below the client: one attempt of one HTTP request, as plain data. The client's attempt
 * loop (`attempts.ts`) gives each attempt its signal (the caller's abort and the attempt's timeout)
 * and its body bound; a transport sends it with `fetch` (the default) or anything else, such as
 * node:http (`huaweicloud-ecs-stop/node`).
 */
import type { ResponseHead, TransportRequest } from '../http.js';

export type { ResponseHead, TransportRequest } from '../http.js';

export interface TransportResponse extends ResponseHead {
  /** The body as text (UTF-8), cut after the attempt's `maxResponseBytes`. */
  text(): Promise<string>;
  /** The body as a stream, cut after `maxResponseBytes`; `null` when there is none. Once only. */
  stream(): ReadableStream<Uint8Array> | null;
  /** Releases the connection without reading the body. */
  discard(): void;
}

export interface Attempt {
  /** Aborts with the caller's reason or the attempt's TimeoutError: ends the connection, the headers' wait and the body. */
  readonly signal: AbortSignal;
  readonly maxResponseBytes: number;
  /** To call once the body is read, cut, discarded or failed, or at once when there is none. */
  readonly finished: () => void;
}

/**
 * Sends one attempt. Never follows a redirect. A failure without a response rejects like
 * `fetch` (a TypeError whose `cause` chain carries the system error's `code`, such as
 * ECONNREFUSED, which the retry policy reads); an abort rejects with the signal's reason.
 */
export type Transport = (request: TransportRequest, attempt: Attempt) => Promise<TransportResponse>;
