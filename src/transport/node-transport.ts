/**
 * A transport on node:http and node:https, for Node only (`huaweicloud-ecs-stop/node`): one
 * `http.request` per attempt over a keep-alive agent, with no web objects (Request, Response,
 * Headers, web streams) on the way unless a caller asks for a stream. It keeps what the fetch
 * transport promises: the attempt's signal ends the connection, the wait for headers and the body;
 * no redirect is followed; the body is cut at the attempt's bound (after decompression); a failure
 * without response rejects as fetch's does (TypeError, the system error as `cause`), so the same
 * retry policy reads it; nothing is ever sent twice by this layer.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Attempt, Transport, TransportResponse } from './transport.js';

export interface NodeTransportOptions {
  /** The agent for `http:` endpoints. Default: keep-alive, idle sockets closed after `idleSocketMs`. */
  httpAgent?: http.Agent;
  /** The agent for `https:` endpoints (give one to set `ca`, a client certificate or a proxy's agent). */
  httpsAgent?: https.Agent;
  /**
   * How long an idle kept-alive socket stays open. Default 4 s, as fetch (undici): shorter than
   * common servers' keep-alive (5 s for Node, 60-75 s for nginx and Apache), so that a socket is
   * not reused just as the server closes it. A server's `Keep-Alive: timeout=N` shortens it.
   */
  idleSocketMs?: number;
}

// Statuses that never carry a body.
const bodylessStatuses = new Set([101, 103, 204, 205, 304]);
// Declared bodies this small are drained to keep the socket; larger ones end the connection.
const DRAIN_LIMIT = 64 * 1024;

/** The node:http transport, for `createEcsClient({ ..., transport: nodeTransport() })`. */
export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  if (typeof options !== 'object' || options === null) throw new TypeError('nodeTransport(options): options must be an object');
  const idleSocketMs = options.idleSocketMs ?? 4_000;
  if (!Number.isInteger(idleSocketMs) || idleSocketMs < 1) throw new TypeError('nodeTransport(options): idleSocketMs must be a positive integer');
  const agentOptions = { keepAlive: true, timeout: idleSocketMs, scheduling: 'lifo' as const };
  const httpAgent = options.httpAgent ?? new http.Agent(agentOptions);
  const httpsAgent = options.httpsAgent ?? new https.Agent(agentOptions);

  return function send(request, attempt) {
    const { signal } = attempt;
    return new Promise<TransportResponse>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      let url: URL;
      try {
        url = new URL(request.url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol ${url.protocol}`);
      } catch (error) {
        return reject(new TypeError('fetch failed', { cause: error }));
      }
      const secure = url.protocol === 'https:';
      const body = request.body;
      // The host signed (the URL's, `[::1]:8080` for IPv6) is the host sent, whatever the agent would write.
      const headers: Record<string, string> = { host: url.host, accept: '*/*', 'accept-encoding': secure ? 'br, gzip, deflate' : 'gzip, deflate' };
      Object.assign(headers, request.headers);
      if (body !== null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
      else if (request.method !== 'GET' && request.method !== 'HEAD') headers['content-length'] = '0';

      let req: http.ClientRequest;
      try {
        req = (secure ? https : http).request({
          protocol: url.protocol,
          hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers,
          agent: secure ? httpsAgent : httpAgent,
        });
      } catch (error) {
        // A header value node:http refuses (its message names the header, never the value).
        return reject(new TypeError('fetch failed', { cause: error }));
      }
      let responded = false;
      const onAbort = () => {
        req.destroy(signal.reason);
        if (!responded) reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const release = () => signal.removeEventListener('abort', onAbort);
      req.on('error', (error) => {
        if (responded) return;
        release();
        reject(signal.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
      });
      req.on('response', (res) => {
        responded = true;
        const response = nodeResponse(res, request.method, attempt, () => {
          release();
          attempt.finished();
        });
        if (!response.empty) return resolve(response);
        // No body to wait for (Nova's 202): resolved once the socket is back in the pool, so that
        // the next call reuses it rather than opening another.
        response.discard();
        if (res.complete) return resolve(response);
        res.once('end', () => resolve(response));
        res.once('close', () => resolve(response));
      });
      req.end(body ?? undefined);
    });
  };
}

function nodeResponse(res: http.IncomingMessage, method: string, attempt: Attempt, finished: () => void): TransportResponse & { empty: boolean } {
  const status = res.statusCode ?? 0;
  const bodyless = bodylessStatuses.has(status) || method === 'HEAD';
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    finished();
  };
  res.once('end', finish);
  res.once('close', finish);
  // An error of the body (a reset, the attempt's abort) is seen by whoever reads it; unread, it
  // must not crash the process.
  res.on('error', () => {});
  let used = false;
  const take = (): Readable => {
    if (used) throw new TypeError('the response body was already used');
    used = true;
    return decoded(res);
  };
  const discard = () => {
    if (used) return;
    used = true;
    const declared = Number(res.headers['content-length']);
    // A small or empty body is drained, which keeps the socket; anything else ends the connection.
    if (bodyless || (declared >= 0 && declared <= DRAIN_LIMIT)) res.resume();
    else res.destroy();
  };
  const empty = bodyless || res.headers['content-length'] === '0';
  return {
    status,
    statusText: res.statusMessage ?? '',
    headers: headerReader(res.headers),
    empty,
    text: async () => (empty ? (discard(), '') : readText(take(), res, attempt)),
    stream: () => (empty ? (discard(), null) : cutStream(take(), res, attempt)),
    discard,
  };
}

function headerReader(headers: http.IncomingHttpHeaders): TransportResponse['headers'] {
  const value = (raw: string | string[] | undefined) => (raw === undefined ? null : Array.isArray(raw) ? raw.join(', ') : raw);
  return {
    get: (name) => value(headers[name.toLowerCase()]),
    forEach(callback) {
      for (const [name, raw] of Object.entries(headers)) if (raw !== undefined) callback(value(raw)!, name);
    },
  };
}

/** The body decoded as fetch decodes it (gzip, deflate, br; several codings in reverse), or as it is. */
function decoded(res: http.IncomingMessage): Readable {
  const codings = (res.headers['content-encoding'] ?? '').toLowerCase().split(',').map((coding) => coding.trim()).filter(Boolean).reverse();
  // Lenient on a truncated end, as undici is.
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const decoders: Readable[] = [];
  for (const coding of codings) {
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(zlib.createGunzip(flush));
    else if (coding === 'deflate') decoders.push(zlib.createInflate(flush));
    else if (coding === 'br') decoders.push(zlib.createBrotliDecompress());
    else if (coding !== 'identity') return res; // an unknown coding: the bytes as sent, as fetch gives them
  }
  let stream: Readable = res;
  for (const decoder of decoders) {
    const from = stream;
    from.on('error', (error) => decoder.destroy(error));
    stream = from.pipe(decoder as unknown as NodeJS.WritableStream) as unknown as Readable;
  }
  return stream;
}

/** Reads `body` to its end or to the bound (then ends the connection), as UTF-8. */
function readText(body: Readable, res: http.IncomingMessage, { signal, maxResponseBytes }: Attempt): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const settle = (error?: unknown) => {
      body.off('data', onData);
      if (error === undefined) return resolve(Buffer.concat(chunks).toString('utf8'));
      // A body that cannot be decoded is not read further: a connection still receiving it is
      // closed now, not at the attempt's timeout.
      if (!res.complete) res.destroy();
      reject(signal.aborted ? signal.reason : new TypeError('terminated', { cause: error }));
    };
    const onData = (chunk: Buffer) => {
      const room = maxResponseBytes - seen;
      seen += chunk.byteLength;
      if (chunk.byteLength < room) return void chunks.push(chunk);
      chunks.push(chunk.subarray(0, room));
      res.destroy();
      settle();
    };
    body.on('data', onData);
    body.once('end', () => settle());
    body.once('error', (error) => settle(error));
    // Ended before its end (a reset, or the attempt aborted), with no 'error' on the decoded stream.
    res.once('close', () => {
      if (!res.complete && seen < maxResponseBytes) settle(signal.aborted ? signal.reason : new Error('the connection closed before the body ended'));
    });
  });
}

/** The body as a web stream, cut after the bound. */
function cutStream(body: Readable, res: http.IncomingMessage, attempt: Attempt): ReadableStream<Uint8Array> {
  let seen = 0;
  const { maxResponseBytes, signal } = attempt;
  const web = Readable.toWeb(body) as ReadableStream<Uint8Array>;
  const reader = web.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        const room = maxResponseBytes - seen;
        seen += value.byteLength;
        if (value.byteLength <= room) return controller.enqueue(value);
        if (room > 0) controller.enqueue(value.subarray(0, room));
        controller.close();
        res.destroy();
      } catch (error) {
        controller.error(signal.aborted ? signal.reason : new TypeError('terminated', { cause: error }));
      }
    },
    cancel(reason) {
      res.destroy();
      return reader.cancel(reason);
    },
  });
}
