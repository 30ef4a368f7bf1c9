const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** An error and the errors that caused it, nearest first (at most 5, as a `cause` chain may loop). */
export function* causes(error: unknown): Generator<Record<string, unknown>> {
  for (let current = error, depth = 0; isObject(current) && depth < 5; current = current.cause, depth++) yield current;
}

/** `ECONNREFUSED` and the like, from an error or the errors that caused it. */
export function systemErrorCode(error: unknown): string | undefined {
  for (const each of causes(error)) if (typeof each.code === 'string') return each.code;
  return undefined;
}

/**
 * A copy of an error and its causes in which `redact` has been applied to every message and stack:
 * what a runtime or an injected fetch quotes (a header, a URL with a token) stays out of `cause`.
 * Names and system error codes are kept.
 */
export function redactedCopy(error: unknown, redact: (text: string) => string): unknown {
  if (typeof error === 'string') return redact(error);
  let copy: Error | undefined;
  for (const link of [...causes(error)].reverse()) {
    const message = typeof link.message === 'string' ? redact(link.message) : '';
    const next = new Error(message, copy === undefined ? undefined : { cause: copy });
    next.name = typeof link.name === 'string' ? link.name : 'Error';
    if (typeof link.code === 'string') Object.assign(next, { code: link.code });
    next.stack = typeof link.stack === 'string' ? redact(link.stack) : `${next.name}: ${message}`;
    copy = next;
  }
  return copy ?? error;
}
