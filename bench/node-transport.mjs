// PROTOTYPE, measured as contender (5); not part of the package.
//
// A `fetch`-shaped function, `(request: Request) => Promise<Response>`, over node:http/https
// with a keep-alive Agent, to hand to createEcsClient({ fetch }). It replaces undici's fetch
// (and its own re-construction of the Request, its header guards and its body mixin) with one
// http.request per call. What it keeps and what it does not is listed in bench/README.md
// ("Node transport prototype"); it would have to prove each of those before it is adopted.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

const nullBodyStatus = new Set([101, 103, 204, 205, 304]);

/**
 * @param {{ keepAlive?: boolean, maxSockets?: number, httpAgent?: http.Agent, httpsAgent?: https.Agent }} [options]
 * @returns {(request: Request) => Promise<Response>}
 */
export function createNodeFetch(options = {}) {
  const httpAgent = options.httpAgent ?? new http.Agent({ keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? Infinity });
  const httpsAgent = options.httpsAgent ?? new https.Agent({ keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? Infinity });

  return async function nodeFetch(request) {
    const signal = request.signal;
    signal.throwIfAborted();
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') throw new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) });

    // Request headers cannot repeat except joined with ", ", so a plain object is exact.
    const headers = {};
    for (const [name, value] of request.headers) headers[name] = value;
    const body = request.body === null ? null : Buffer.from(await request.arrayBuffer());
    if (body !== null) headers['content-length'] = String(body.byteLength);
    else if (request.method !== 'GET' && request.method !== 'HEAD') headers['content-length'] = '0';

    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request({
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        agent: secure ? httpsAgent : httpAgent,
      });
      let settled = false;
      const onAbort = () => {
        req.destroy(signal.reason);
        if (!settled) {
          settled = true;
          reject(signal.reason);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        // The shape undici's fetch gives: TypeError('fetch failed') with the system error as cause.
        reject(signal.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
      });
      req.on('response', (res) => {
        settled = true;
        const responseHeaders = new Headers();
        const raw = res.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) responseHeaders.append(raw[i], raw[i + 1]);
        const empty = nullBodyStatus.has(res.statusCode) || request.method === 'HEAD' || res.headers['content-length'] === '0';
        let responseBody = null;
        if (empty) {
          res.resume();
          res.on('end', () => signal.removeEventListener('abort', onAbort));
        } else {
          res.on('close', () => signal.removeEventListener('abort', onAbort));
          responseBody = Readable.toWeb(res);
        }
        // 1xx other than 101 never reaches 'response'; Response refuses statuses outside 200-599.
        resolve(new Response(nullBodyStatus.has(res.statusCode) ? null : responseBody, {
          status: res.statusCode,
          statusText: res.statusMessage ?? '',
          headers: responseHeaders,
        }));
      });
      req.end(body ?? undefined);
    });
  };
}
