import type { components } from '../../generated/openapi.js';
import { retryAfterSeconds } from '../http.js';

export type NovaFaultName = components['schemas']['NovaFaultName'];

/**
 * What went wrong: the Nova fault name (`itemNotFound`, `conflictingRequest`, ...), `ecs` for an
 * ECS error (`Ecs.xxxx`), `gateway` for Huawei's API gateway (`APIGW.xxxx`), `identity` for the
 * identity layer (keystonemiddleware, IAM: `{"error": {"code": 401, "title", "message"}}`), `http`
 * for any other unsuccessful response, `auth` when getting credentials failed before anything was
 * sent (a token provider that threw), `network` when no response arrived, `timeout` when an
 * attempt (or a token provider) took too long.
 */
export type EcsErrorKind = NovaFaultName | 'ecs' | 'gateway' | 'identity' | 'http' | 'auth' | 'network' | 'timeout';

const novaFaultNames: ReadonlySet<string> = new Set<NovaFaultName>([
  'badRequest', 'unauthorized', 'forbidden', 'itemNotFound', 'badMethod', 'conflictingRequest',
  'overLimit', 'badMediaType', 'notImplemented', 'serviceUnavailable', 'computeFault',
]);

export interface ErrorBody {
  kind: EcsErrorKind;
  code?: string | undefined;
  message?: string | undefined;
  requestId?: string | undefined;
  retryAfter?: number | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function parseNovaFault(body: Record<string, unknown>): ErrorBody | undefined {
  const keys = Object.keys(body);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined || !novaFaultNames.has(name)) return undefined;
  const fault = body[name];
  if (!isObject(fault)) return undefined;
  return { kind: name as NovaFaultName, message: text(fault.message), retryAfter: retryAfterSeconds(fault.retryAfter) };
}

/** Reads one of the four error shapes (spec: ErrorResponse); anything else is `http`. */
export function parseErrorBody(body: unknown): ErrorBody {
  if (!isObject(body)) return { kind: 'http' };
  const nova = parseNovaFault(body);
  if (nova) return nova;
  if (isObject(body.error) && text(body.error.code)) {
    const code = text(body.error.code)!;
    let message = text(body.error.message);
    // Huawei wraps a failed Nova call as Ecs.1000 with the Nova fault JSON as a string.
    const inner = message !== undefined && message.trimStart().startsWith('{') ? tryJson(message) : undefined;
    const wrapped = isObject(inner) ? parseNovaFault(inner) : undefined;
    if (wrapped?.message) message = wrapped.message;
    // ECS's `details` say which field was wrong: kept, after the message.
    const details = Array.isArray(body.error.details) ? body.error.details.flatMap((detail) => (isObject(detail) && text(detail.message) ? [text(detail.message)!] : [])) : [];
    if (details.length > 0) message = `${message ?? code} (${details.join('; ')})`;
    return { kind: 'ecs', code, message };
  }
  if (isObject(body.error) && Number.isInteger(body.error.code)) {
    return { kind: 'identity', message: text(body.error.message) };
  }
  if (text(body.error_code)) {
    // Huawei IAM answers in the gateway's shape, with its own codes (IAM.0062: a wrong password).
    const kind = text(body.error_code)!.startsWith('IAM.') ? 'identity' : 'gateway';
    return { kind, code: text(body.error_code), message: text(body.error_msg), requestId: text(body.request_id) };
  }
  return { kind: 'http' };
}
