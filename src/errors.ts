import type { components } from '../generated/openapi.js';

type Schemas = components['schemas'];
export type NovaFaultName = Schemas['NovaFaultName'];

/**
 * What went wrong: the Nova fault name (`itemNotFound`, `conflictingRequest`, ...), `ecs` for an
 * ECS error (`Ecs.xxxx`), `gateway` for Huawei's API gateway (`APIGW.xxxx`), `identity` for the
 * identity layer (keystonemiddleware, IAM: `{"error": {"code": 401, "title", "message"}}`), `http`
 * for any other unsuccessful response, `auth` when getting credentials failed before anything was
 * sent (a token provider that threw), `network` when no response arrived, `timeout` when an
 * attempt (or a token provider) took too long.
 */
export type EcsErrorKind = NovaFaultName | 'ecs' | 'gateway' | 'identity' | 'http' | 'auth' | 'network' | 'timeout';

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
export class EcsApiError extends Error {
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

const novaFaultNames: ReadonlySet<string> = new Set<NovaFaultName>([
  'badRequest', 'unauthorized', 'forbidden', 'itemNotFound', 'badMethod', 'conflictingRequest',
  'overLimit', 'badMediaType', 'notImplemented', 'serviceUnavailable', 'computeFault',
]);

interface ParsedBody {
  kind: EcsErrorKind;
  code?: string | undefined;
  message?: string | undefined;
  requestId?: string | undefined;
  retryAfter?: number | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function parseNovaFault(body: Record<string, unknown>): ParsedBody | undefined {
  const keys = Object.keys(body);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined || !novaFaultNames.has(name)) return undefined;
  const fault = body[name];
  if (!isObject(fault)) return undefined;
  return { kind: name as NovaFaultName, message: text(fault.message), retryAfter: retryAfterSeconds(fault.retryAfter) };
}

/** Reads one of the four error shapes (spec: ErrorResponse); anything else is `http`. */
export function parseErrorBody(body: unknown): ParsedBody {
  if (!isObject(body)) return { kind: 'http' };
  const nova = parseNovaFault(body);
  if (nova) return nova;
  if (isObject(body.error) && text(body.error.code)) {
    const code = text(body.error.code)!;
    let message = text(body.error.message);
    // Huawei wraps a failed Nova call as Ecs.1000 with the Nova fault JSON as a string.
    const inner = message?.trimStart().startsWith('{') ? tryJson(message) : undefined;
    const wrapped = isObject(inner) ? parseNovaFault(inner) : undefined;
    if (wrapped?.message) message = wrapped.message;
    return { kind: 'ecs', code, message };
  }
  if (isObject(body.error) && Number.isInteger(body.error.code)) {
    return { kind: 'identity', message: text(body.error.message) };
  }
  if (text(body.error_code)) {
    return { kind: 'gateway', code: text(body.error_code), message: text(body.error_msg), requestId: text(body.request_id) };
  }
  return { kind: 'http' };
}

function tryJson(value: string | undefined): unknown {
  try {
    return JSON.parse(value ?? '');
  } catch {
    return undefined;
  }
}

// RFC 9110's HTTP-date: IMF-fixdate, and the obsolete RFC 850 and asctime forms. Anything else
// (`1.5`, `-5`, `3, 4`) is no Retry-After at all, though Date.parse would read a date into it.
const httpDate = [
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/** Retry-After as seconds: delta-seconds or an HTTP date; `undefined` for anything else. */
export function retryAfterSeconds(value: unknown, now = Date.now()): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!httpDate.some((form) => form.test(trimmed))) return undefined;
  // asctime carries no zone: it is GMT too.
  const date = Date.parse(/GMT$/.test(trimmed) ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

const requestIdHeaders = ['x-openstack-request-id', 'x-compute-request-id', 'x-request-id'];

/**
 * The error for an unsuccessful response; `body` is what openapi-fetch read (JSON, text or nothing).
 * `secrets` (the credentials sent) are cut out of the server's text, should it quote them.
 */
export function errorFromResponse(response: Response, body: unknown, request: RequestSummary, secrets: Iterable<string> = []): EcsApiError {
  const parsed = parseErrorBody(typeof body === 'string' ? tryJson(body) : body);
  const headerRequestId = requestIdHeaders.map((name) => response.headers.get(name)).find((v) => v);
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after')) ?? parsed.retryAfter;
  // The reason phrase is the server's text too: it may echo a credential.
  const fallback = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return new EcsApiError(redactSecrets(parsed.message ?? fallback, secrets), {
    status: response.status,
    kind: parsed.kind,
    code: redactSecrets(parsed.code, secrets),
    requestId: redactSecrets(headerRequestId ?? parsed.requestId, secrets),
    retryAfter,
    request,
  });
}

/** `text` with every secret of 4 characters or more replaced by `[redacted]`. */
export function redactSecrets<T extends string | undefined>(text: T, secrets: Iterable<string>): T {
  if (text === undefined) return text;
  let result: string = text;
  // Longest first, so that a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result as T;
}

/**
 * The error for credentials that could not be had (a token provider that threw or rejected).
 * Neither its text nor the error itself is kept: either may hold a secret.
 */
export function errorFromCredentials(error: unknown, request: RequestSummary): EcsApiError {
  const name = error instanceof Error && /^\w{1,40}$/.test(error.name) ? ` (${error.name})` : '';
  return new EcsApiError(`Getting credentials failed before the request was sent${name} (${request.method} ${request.url})`, {
    status: undefined,
    kind: 'auth',
    code: undefined,
    requestId: undefined,
    retryAfter: undefined,
    request,
  });
}

/** The error for a call that got no response. */
export function errorFromFailure(error: unknown, request: RequestSummary): EcsApiError {
  const timedOut = error instanceof Error && error.name === 'TimeoutError';
  const code = systemErrorCode(error);
  const message = timedOut
    ? `No response within the timeout (${request.method} ${request.url})`
    : `Network error${code ? ` ${code}` : ''} (${request.method} ${request.url})`;
  return new EcsApiError(message, {
    status: undefined,
    kind: timedOut ? 'timeout' : 'network',
    code,
    requestId: undefined,
    retryAfter: undefined,
    request,
    cause: error,
  });
}

/** `ECONNREFUSED` and the like, from an error or the errors that caused it. */
export function systemErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; isObject(current) && depth < 5; current = current.cause, depth++) {
    if (typeof current.code === 'string') return current.code;
  }
  return undefined;
}
