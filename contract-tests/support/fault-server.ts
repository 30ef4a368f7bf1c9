/**
 * A misbehaving HTTP server on loopback for fault-injection tests. Each request is answered by
 * the next fault in a queue the test fills (or by `fallback` once the queue is empty). Faults work
 * at the HTTP level (odd statuses, headers and bodies, 50 MB streams, redirects) and below it, on
 * the raw socket (resets, silence, truncation, bytes that are not HTTP). `close()` destroys every
 * socket, so no test leaves a connection behind.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { vi } from 'vitest';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Fault {
  /** A label for reports. */
  name: string;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

export interface FaultServer {
  url: string;
  port: number;
  /** Every request received, in order, with its body. */
  requests: SeenRequest[];
  /** Faults for the next requests, first in, first out. */
  queue(...faults: Fault[]): void;
  /** What answers once the queue is empty (default: 202, no body). */
  fallback: Fault;
  /** Sockets currently open on the server side. */
  openSockets(): number;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const pending: Fault[] = [];
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer({ keepAliveTimeout: 1_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const fault = pending.shift() ?? handle.fallback;
      Promise.resolve()
        .then(() => fault.handle(req, res))
        .catch(() => res.destroy());
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A socket error (the client resetting) must not crash the test process.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const handle: FaultServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    queue: (...faults) => void pending.push(...faults),
    fallback: faults.status(202),
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}

/** A loopback URL where nothing listens: connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Progress of a streamed body, as the server saw it. */
export interface StreamStats {
  /** Bytes handed to the socket (accepted by the kernel, or buffered awaiting 'drain'). */
  written: number;
  /** The whole body was written. */
  finished: boolean;
  /** The client went away before the end. */
  aborted: boolean;
  /** Resolves once the stream stopped, one way or the other. */
  done: Promise<void>;
}

// Taken before any spy, so that a second clientHasHeaders() does not call the first one's spy.
const realFetch = globalThis.fetch;

/**
 * Resolves once the global fetch has a response whose URL `matches`: the client has its headers.
 * For `faults.resetMidResponse`; the spy goes with `vi.restoreAllMocks()`.
 */
export function clientHasHeaders(matches: (url: string) => boolean = () => true): Promise<void> {
  return new Promise((resolve) => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (...args) => {
      const response = await realFetch(...args);
      if (matches(response.url)) resolve();
      return response;
    });
  });
}

export const faults = {
  /** A complete, well-formed answer. */
  status(status: number, body: string | Buffer = '', headers: Record<string, string> = {}): Fault {
    return {
      name: `${status}${body.length ? ` with ${body.length} bytes` : ''}`,
      handle(_req, res) {
        res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...headers });
        res.end(body);
      },
    };
  },

  json(status: number, body: unknown, headers: Record<string, string> = {}): Fault {
    return faults.status(status, JSON.stringify(body), { 'Content-Type': 'application/json', ...headers });
  },

  /** The request is read, then the connection is reset (TCP RST) without a byte of answer. */
  resetBeforeResponse(): Fault {
    return { name: 'reset before response', handle: (req) => void req.socket.resetAndDestroy() };
  },

  /**
   * Headers and part of the body, then a TCP RST once `after` resolves: give it a promise of the
   * client having the headers (`clientHasHeaders()`), as a RST that overtakes them loses them.
   */
  resetMidResponse(status: number, { after }: { after: Promise<unknown> }): Fault {
    return {
      name: `reset mid-response (${status})`,
      async handle(req, res) {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
        res.write('{"computeFault": {"code": 500, "message": "the ');
        await after;
        req.socket.resetAndDestroy();
      },
    };
  },

  /** Headers (and optionally the start of a body) are sent, then nothing, forever. */
  headersThenSilence(status: number, start = ''): Fault {
    return {
      name: `headers then silence (${status})`,
      handle(_req, res) {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
        if (start) res.write(start);
        else res.flushHeaders();
      },
    };
  },

  /** The request is read and never answered. */
  silence(): Fault {
    return { name: 'silence', handle: () => {} };
  },

  /** Content-Length promises more than is sent; the server then closes cleanly (FIN). */
  prematureEnd(status: number, sent = '{"computeFault": {"code": 5'): Fault {
    return {
      name: `premature end (${status})`,
      handle(req, res) {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
        res.write(sent, () => req.socket.end());
      },
    };
  },

  /** Bytes that are not HTTP at all, written on the raw socket. */
  rawBytes(bytes: string | Buffer): Fault {
    return {
      name: 'not HTTP',
      handle(req) {
        req.socket.end(bytes);
      },
    };
  },

  /** Streams `total` bytes as fast as the client reads them (respecting backpressure). */
  stream(status: number, total: number, first = '', headers: Record<string, string> = {}): Fault & { stats: StreamStats } {
    let settle = () => {};
    const stats: StreamStats = { written: 0, finished: false, aborted: false, done: new Promise<void>((resolve) => (settle = resolve)) };
    return {
      name: `${status} with a ${total / 1e6} MB body`,
      stats,
      handle(_req, res) {
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const head = Buffer.from(first);
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': total, ...headers });
        const stop = () => {
          if (!stats.finished) stats.aborted = true;
          settle();
        };
        res.on('close', stop);
        const pump = () => {
          while (stats.written < total && !res.destroyed) {
            let piece = chunk.subarray(0, Math.min(chunk.length, total - stats.written));
            if (stats.written === 0 && head.length) piece = Buffer.concat([head, piece.subarray(head.length)]);
            stats.written += piece.length;
            if (!res.write(piece)) return void res.once('drain', pump);
          }
          if (stats.written >= total && !res.destroyed) {
            stats.finished = true;
            res.end(settle);
          }
        };
        pump();
      },
    };
  },

  redirect(status: number, location: string): Fault {
    return faults.status(status, '', { Location: location });
  },
};
