import { requestIdOf, retryAfterSeconds, type ResponseHead } from '../http.js';
import { redactedCopy, systemErrorCode } from './cause.js';
import { EcsError } from './ecs-error.js';
import { parseErrorBody, tryJson, type EcsErrorKind } from './error-body.js';
import type { Redactor } from './redaction.js';

/** What an error tells of its request: never headers or body, so never a credential. */
export interface RequestSummary {
  method: string;
  url: string;
}

export interface EcsApiErrorDetails {
  status: number | undefined;
  kind: EcsErrorKind;
  code: string | undefined;
  requestId: string | undefined;
  retryAfter: number | undefined;
  request: RequestSummary;
  cause?: unknown;
}

/**
 * A failed call. `message` is the server's own text where it sent one. Carries no credentials:
 * nothing from the request but its method and URL.
 */
export class EcsApiError extends EcsError {
  override readonly name = 'EcsApiError';
  /** The HTTP status, or `undefined` when no response arrived (`network`, `timeout`). */
  readonly status: number | undefined;
  readonly kind: EcsErrorKind;
  /** `Ecs.0114`, `APIGW.0301`, a system error code such as `ECONNREFUSED`, or `undefined`. */
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  /** Seconds the server asked us to wait (Retry-After or Nova's `retryAfter`). */
  readonly retryAfter: number | undefined;
  readonly request: RequestSummary;

  constructor(message: string, details: EcsApiErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.kind = details.kind;
    this.code = details.code;
    this.requestId = details.requestId;
    this.retryAfter = details.retryAfter;
    this.request = details.request;
  }

  toJSON() {
    const { name, message, status, kind, code, requestId, retryAfter, request } = this;
    return { name, message, status, kind, code, requestId, retryAfter, request };
  }
}

const noDetails = { code: undefined, requestId: undefined, retryAfter: undefined };

/**
 * The error for an unsuccessful response; `body` is what was read of it (JSON, text or nothing).
 * The secrets `redactor` holds (the credentials sent) are cut out of the server's text, should it quote them.
 */
export function errorFromResponse(response: ResponseHead, body: unknown, request: RequestSummary, redactor: Redactor): EcsApiError {
  const parsed = parseErrorBody(typeof body === 'string' ? tryJson(body) : body);
  // The reason phrase is the server's text too: it may echo a credential.
  const fallback = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return new EcsApiError(redactor.apply(parsed.message ?? fallback), {
    status: response.status,
    kind: parsed.kind,
    code: redactor.apply(parsed.code),
    requestId: redactor.apply(requestIdOf(response) ?? parsed.requestId),
    retryAfter: retryAfterSeconds(response.headers.get('retry-after')) ?? parsed.retryAfter,
    request,
  });
}

/** The error for a success status whose body is not what the operation promises. */
export function errorFromUnexpectedBody(
  response: ResponseHead,
  operation: string,
  expected: string,
  request: RequestSummary,
  redactor: Redactor,
): EcsApiError {
  return new EcsApiError(`The ${operation} answered ${response.status} without ${expected}`, {
    ...noDetails,
    status: response.status,
    kind: 'http',
    requestId: redactor.apply(requestIdOf(response)),
    request,
  });
}

/**
 * The error for credentials that could not be had (a token provider that threw or rejected).
 * Neither its text nor the error itself is kept: either may hold a secret.
 */
export function errorFromCredentials(error: unknown, request: RequestSummary): EcsApiError {
  const name = error instanceof Error && /^\w{1,40}$/.test(error.name) ? ` (${error.name})` : '';
  return new EcsApiError(`Getting credentials failed before the request was sent${name} (${request.method} ${request.url})`, {
    ...noDetails,
    status: undefined,
    kind: 'auth',
    request,
  });
}

/** The error for a call that got no response; its `cause` is the runtime's error with the call's secrets cut out. */
export function errorFromFailure(error: unknown, request: RequestSummary, redactor: Redactor): EcsApiError {
  const timedOut = error instanceof Error && error.name === 'TimeoutError';
  const code = systemErrorCode(error);
  const message = timedOut
    ? `No response within the timeout (${request.method} ${request.url})`
    : `Network error${code ? ` ${code}` : ''} (${request.method} ${request.url})`;
  return new EcsApiError(message, {
    ...noDetails,
    status: undefined,
    kind: timedOut ? 'timeout' : 'network',
    code,
    request,
    cause: redactedCopy(error, (text) => redactor.apply(text)),
  });
}
