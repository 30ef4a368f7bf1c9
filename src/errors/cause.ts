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
