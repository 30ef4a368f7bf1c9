import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

export interface Exchange {
  method: string;
  path: string;
  status: number;
}

/**
 * `fetch` that notes every exchange with the target, so the run can report which declared
 * (operation, status) pairs were exercised.
 */
export async function recordingFetch(input: Request | string, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request && init === undefined ? input : new Request(input, init);
  const response = await fetch(request);
  recordExchange({ method: request.method, path: new URL(request.url).pathname, status: response.status });
  return response;
}

export function recordExchange(exchange: Exchange): void {
  appendFileSync(join(inject('runDir'), 'exchanges.jsonl'), `${JSON.stringify(exchange)}\n`);
}
