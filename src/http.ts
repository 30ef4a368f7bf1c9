/** What the client reads from any HTTP response, whatever the operation. */

/** Where Nova, ECS and Huawei's gateway put the request ID, in the order they are looked up. */
const requestIdHeaders = ['x-openstack-request-id', 'x-compute-request-id', 'x-request-id'] as const;

/** One HTTP request as plain data, as the client builds it, authorizes it and hands it to a transport. */
export interface TransportRequest {
  readonly method: string;
  /** Absolute. */
  readonly url: string;
  /** By lowercase name. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes to send (a string as UTF-8), or `null` for none. */
  readonly body: string | Uint8Array | null;
}

/** What the client reads of a response before its body: its status and headers (a fetch Response is one). */
export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  readonly headers: {
    get(name: string): string | null;
    forEach(callback: (value: string, name: string) => void): void;
  };
}

export function requestIdOf(response: ResponseHead): string | undefined {
  for (const name of requestIdHeaders) {
    const value = response.headers.get(name);
    if (value) return value;
  }
  return undefined;
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
