/**
 * Fetch's web objects and the transport's plain data, both ways: for openapi-fetch's operations,
 * an auth's own fetch and the cloud loader's token call, which speak Request and Response.
 */
import type { TransportRequest } from '../http.js';
import type { TransportResponse } from './transport.js';

/** A Request as plain data (its body read). */
export async function plainRequest(request: Request): Promise<TransportRequest> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  return { method: request.method, url: request.url, headers, body };
}

// Statuses whose Response must have no body.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/** A transport's response as a fetch Response, its body the transport's (bounded) stream. */
export function webResponseOf(response: TransportResponse): Response {
  const { status, statusText } = response;
  let headers: Headers;
  if (response.headers instanceof Headers) headers = response.headers;
  else {
    headers = new Headers();
    response.headers.forEach((value, name) => headers.append(name, value));
  }
  if (nullBodyStatuses.has(status)) response.discard();
  return new Response(nullBodyStatuses.has(status) ? null : response.stream(), { status, statusText, headers });
}
