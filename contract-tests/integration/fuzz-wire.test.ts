/**
 * The response property of unit/fuzz.test.ts over real sockets, for both transports: the global
 * fetch (undici, the default) and nodeTransport() (node:http). A loopback server answers each
 * request with the next response of its case's sequence (support/fuzz-responses.ts), written
 * honestly on the wire: the real status line (Node's reason phrase), the headers Node's server can
 * send (a value it refuses, such as one with DEL, is left out; Content-Length is the body's real
 * length, and none on a 204 or 304), the body's bytes (none for 204, 205 and 304). Each case
 * stops or reads a server ID of its own, so that the server knows which case any request is for,
 * even one that comes after its call ended.
 *
 * Every call ends in a 202/204 result whose request ID is a response header's, or an EcsApiError
 * with the last response's status, nothing else; each attempt of the client sends the operation's
 * exact body; it is retried only after 429 and 503 (the server counts the requests), never past
 * the cap; no rejection is left unhandled; and both transports end each sequence the same way
 * (same requests, same result status, or same error status and kind, and the same details),
 * apart from the differences below.
 *
 * What the wire changes for both transports: a header block larger than the clients' HTTP parser
 * takes (http.maxHeaderSize, 16 KiB: the drawn 100k-character request ID) is refused: a `network`
 * EcsApiError without status, not retried.
 *
 * Where the transports differ, modelled and counted here rather than hidden (the report lists
 * them, and the last tests show each on one minimal sequence):
 * - a 421 is sent again by fetch itself, on a new connection, within the same attempt (the fetch
 *   standard's HTTP-network-or-cache fetch): a POST os-stop answered 421 is POSTed twice through
 *   fetch, once through nodeTransport(). When the 421 had a large body (1.5 MB), the POST is sent
 *   again with `Content-Length: 0` and no body, and the call fails with a network error
 *   UND_ERR_REQ_CONTENT_LENGTH_MISMATCH; that request may reach the server after the call failed;
 * - a 407 is turned by fetch into a network error (the standard, for a request without a window):
 *   a `network` EcsApiError without status or code through fetch, a 407 EcsApiError through
 *   nodeTransport();
 * - a header value's trailing spaces (not part of the value, RFC 9110 §5.5) are cut by node:http
 *   but kept by fetch (undici 6, Node 20): a request ID header `req-1 ` (with its space) gives
 *   the requestId `req-1 ` through fetch, `req-1` through nodeTransport();
 * - the refused header block is the code UND_ERR_HEADERS_OVERFLOW through fetch and
 *   HPE_HEADER_OVERFLOW through nodeTransport() (so the messages differ too).
 *
 * With the same `FC_SEED`, the cases are the first `FUZZ_WIRE_RUNS` (default 120) of the unit
 * file's response property. Retries wait for nothing (maxDelayMs 0 caps Retry-After too), and no
 * assertion is on time: the test timeouts only guard against a hang.
 */
import { createServer, maxHeaderSize, type Server, STATUS_CODES, validateHeaderValue } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEcsClient, EcsApiError, type EcsClientOptions, type Server as EcsServer, type StopServerResult, tokenAuth } from '../../src/index.js';
import { nodeTransport } from '../../src/node.js';
import { failOnUnhandledRejections, nextTurn, PROJECT } from '../support/fixtures.js';
import { allowedKinds, hugeBody, hugeHeader, responseSpec, type ResponseSpec } from '../support/fuzz-responses.js';

const seed = Number(process.env.FC_SEED ?? 20261126);
const runs = Number(process.env.FUZZ_WIRE_RUNS ?? 120);
/** A hang guard only: a call that never ends fails here, a busy machine never should. */
const BUDGET = { timeout: 300_000 };
console.log(`fuzz-wire: fast-check seed ${seed}, ${runs} cases per transport (FC_SEED=${seed} replays; FUZZ_WIRE_RUNS sets the count)`);

// ---------------------------------------------------------------------------------------------
// The responses, as they go on the wire

interface WireResponse {
  status: number;
  /** The reason phrase Node's server writes. */
  reason: string;
  /** What is sent, by lowercase name (Node adds Date, Connection and Keep-Alive). */
  headers: Record<string, string>;
  /** Header names of the drawn response that could not be sent. */
  dropped: string[];
  body: Buffer;
  /** The header block is larger than the clients' HTTP parsers take. */
  oversized: boolean;
}

/** The drawn response as the server sends it. */
function onTheWire(spec: ResponseSpec): WireResponse {
  const { status } = spec;
  const bodyless = status === 204 || status === 205 || status === 304;
  const body = bodyless || spec.body === null ? Buffer.alloc(0) : typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : Buffer.from(spec.body);
  const headers: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(spec.headers)) {
    // The drawn length is replaced by the real one.
    if (name === 'content-length') continue;
    try {
      validateHeaderValue(name, value);
      headers[name] = value;
    } catch {
      dropped.push(name);
    }
  }
  // None on a 204 (RFC 9110 §8.6) or a 304; 0 on a 205.
  if (status !== 204 && status !== 304) headers['content-length'] = String(body.byteLength);
  const reason = STATUS_CODES[status] ?? 'unknown';
  // Generously over: the status line and Node's own headers take under 200 bytes, and the drawn
  // values are either under 100 characters or 100,004.
  const blockBytes = 200 + Object.entries(headers).reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);
  return { status, reason, headers, dropped, body, oversized: blockBytes > maxHeaderSize };
}

/** The answer to a request past the end of its case's sequence, or after its call ended. */
const PAST_THE_END = onTheWire({ status: 500, headers: { 'x-fuzz-wire': 'past the end of the sequence' }, body: null });

// ---------------------------------------------------------------------------------------------
// The server: each request gets the next response of its case

interface Received {
  response: WireResponse;
  /** The request's body, as received. */
  body: string;
  contentLength: string | undefined;
}
interface Case {
  responses: WireResponse[];
  /** Whether its call is running. */
  open: boolean;
  /** The requests for this case while its call ran, in order. */
  served: Received[];
  /** The requests for this case after its call ended. */
  late: Received[];
  /** fetch sent a 421's request again without its body (only such a case may see a late request). */
  lostBody: boolean;
}
/** By server ID. */
const cases = new Map<string, Case>();
let caseCount = 0;
/** A server ID for each case, so that each request names its case. */
const serverIdFor = (n: number) => `4d8c3732-a248-40ed-bebc-${n.toString(16).padStart(12, '0')}`;
/** Requests for no case at all. */
let strays = 0;

let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    // The client may end the connection mid-body (a body past its bound, a body it discards).
    res.on('error', () => {});
    req.on('error', () => res.destroy());
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = /^\/v2\.1\/[0-9a-f]{32}\/servers\/([0-9a-f-]{36})(\/action)?$/.exec(req.url ?? '')?.[1];
      const thisCase = id === undefined ? undefined : cases.get(id);
      let response = PAST_THE_END;
      if (thisCase === undefined) strays++;
      else {
        if (thisCase.open) response = thisCase.responses[thisCase.served.length] ?? PAST_THE_END;
        const received = { response, body: Buffer.concat(chunks).toString('utf8'), contentLength: req.headers['content-length'] };
        (thisCase.open ? thisCase.served : thisCase.late).push(received);
      }
      res.writeHead(response.status, response.headers);
      // A Buffer: a string would be written with the head as UTF-8, not as latin-1.
      res.end(response.body);
    });
  });
  // The client, not the server, decides when an idle socket closes.
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client resetting the connection must not crash the test process.
  server.on('clientError', (_error, socket: Socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// ---------------------------------------------------------------------------------------------
// Unhandled rejections, and the closing report

failOnUnhandledRejections();
afterEach(async () => {
  await nextTurn();
  expect(strays, 'requests for no case').toBe(0);
});
const report: string[] = [];
afterAll(() => {
  for (const line of report) console.log(`fuzz-wire: ${line}`);
});

// ---------------------------------------------------------------------------------------------
// The property

type Call = 'stop' | 'stop-idempotent' | 'get';
const STOP_BODY = '{"os-stop":{}}';

/** How a case ended. */
type Outcome =
  | { resolved: number; requestId: string | undefined; alreadyStopped: boolean | undefined }
  | { error: number | undefined; kind: string; code: string | undefined; message: string; requestId: string | undefined; retryAfter: boolean };

/** What fetch does that nodeTransport() does not, as seen in one case. */
type Quirk = 'fetch sent a 421 again' | 'fetch sent a 421 again without its body, and failed' | 'fetch made a 407 a network error';

interface Recorded {
  /** The case, to check that both transports ran the same ones. */
  fingerprint: string;
  serverId: string;
  requests: number;
  outcome: Outcome;
  quirks: Quirk[];
}
const recorded = new Map<string, Recorded[]>();

const fingerprint = (sequence: ResponseSpec[], call: Call) =>
  `${call} ${sequence.map((r) => `${r.status}/${Object.keys(r.headers).join(',')}/${r.body === null ? 'null' : r.body.length}`).join(' ')}`;

const requestIdHeaders = ['x-openstack-request-id', 'x-compute-request-id', 'x-request-id'];
/** Without trailing spaces and tabs (which undici's fetch leaves on a received header value). */
const trimEndOws = (value: string) => value.replace(/[ \t]+$/, '');
/** The codes of a header block over the parser's limit: undici's (fetch), then llhttp's as node:http gives it. */
const headerOverflowCodes = ['UND_ERR_HEADERS_OVERFLOW', 'HPE_HEADER_OVERFLOW'];
/**
 * What both transports agree on: the outcome, its request ID cut of trailing spaces and tabs, a
 * header overflow's code (in the code and the message) the same, and the case's own server ID
 * (in a message's URL) left out.
 */
function comparable({ outcome, serverId }: Recorded): Outcome {
  const requestId = outcome.requestId === undefined ? undefined : trimEndOws(outcome.requestId);
  if ('resolved' in outcome) return { ...outcome, requestId };
  const message = outcome.message.replace(serverId, '{server_id}');
  if (outcome.code === undefined || !headerOverflowCodes.includes(outcome.code)) return { ...outcome, requestId, message };
  return { ...outcome, requestId, code: 'header overflow', message: message.replace(outcome.code, 'header overflow') };
}

const transports: [string, Partial<EcsClientOptions>][] = [
  ['the global fetch', {}],
  ['nodeTransport()', { transport: nodeTransport() }],
];

/** Runs `call` on a server ID of its own, answered by `sequence`, with as many retries as it has further responses. */
async function exchange(sequence: ResponseSpec[], call: Call, options: Partial<EcsClientOptions>) {
  const serverId = serverIdFor(++caseCount);
  const thisCase: Case = { responses: sequence.map(onTheWire), open: true, served: [], late: [], lostBody: false };
  cases.set(serverId, thisCase);
  const client = createEcsClient({
    endpoint,
    projectId: PROJECT,
    auth: tokenAuth('fuzz-token'),
    retry: { retries: sequence.length - 1, baseDelayMs: 0, maxDelayMs: 0 },
    ...options,
  });
  let result: { value: StopServerResult | EcsServer } | { error: unknown };
  try {
    result = {
      value: call === 'get' ? await client.getServer(serverId) : await client.stopServer(serverId, call === 'stop-idempotent' ? { ifAlreadyStopped: 'ok' } : {}),
    };
  } catch (error) {
    result = { error };
  } finally {
    thisCase.open = false;
  }
  // Only what the checks need is kept: the bodies may be 1.5 MB.
  thisCase.responses = [];
  return { serverId, thisCase, result };
}

describe.each(transports)('fuzzing the responses over the wire, through %s', (label, options) => {
  const viaFetch = options.transport === undefined;

  it(`any status, headers and body on a socket: a 202/204 result or an EcsApiError with that status, nothing else (${runs} runs)`, BUDGET, async () => {
    const ran: Recorded[] = [];
    const tally = { resolved: 0, typed: 0, refusedHeaders: 0, requests: 0, retried: 0, droppedHeaders: 0, untrimmedIds: 0, quirks: new Map<Quirk, number>() };
    await fc.assert(
      fc.asyncProperty(
        // The wire has no 1xx final response: none are drawn today, and none would be sent.
        fc.array(responseSpec.filter((r) => r.status >= 200), { minLength: 1, maxLength: 3 }),
        fc.constantFrom<Call>('stop', 'stop', 'stop-idempotent', 'get'),
        async (sequence, call) => {
          const { serverId, thisCase, result } = await exchange(sequence, call, options);
          const { served } = thisCase;
          const calls = served.length;
          const quirks: Quirk[] = [];
          const sentBody = call === 'get' ? '' : STOP_BODY;

          // The client's attempts, and the response each ended with. Through fetch, a 421 (whose
          // head was read) is sent again by fetch itself, within the same attempt; without its
          // body, the attempt fails (however the request sent again is answered, if it is yet).
          expect(calls).toBeGreaterThanOrEqual(1);
          const attempts: WireResponse[] = [];
          for (let index = 0; index < calls; index++) {
            // Each attempt of the client: the operation's exact body.
            expect(served[index]!.body).toBe(sentBody);
            if (viaFetch && served[index]!.response.status === 421 && !served[index]!.response.oversized) {
              const again = served[index + 1];
              if (again === undefined || again.body !== sentBody) {
                thisCase.lostBody = true;
                quirks.push('fetch sent a 421 again without its body, and failed');
                expect(again === undefined || [again.body, again.contentLength]).toEqual(again === undefined || ['', '0']);
                expect(index + 2).toBeGreaterThanOrEqual(calls);
                break;
              }
              quirks.push('fetch sent a 421 again');
              index++;
            }
            attempts.push(served[index]!.response);
          }
          if (!thisCase.lostBody) {
            expect(attempts.length).toBeGreaterThanOrEqual(1);
            // A response past the end of the sequence only through fetch's own 421 resends.
            if (!quirks.includes('fetch sent a 421 again')) expect(calls).toBeLessThanOrEqual(sequence.length);
          }

          // Retries: only after 429 and 503 (their head read), and never past the cap.
          expect(attempts.length).toBeLessThanOrEqual(sequence.length);
          const last = attempts[attempts.length - 1];
          for (const earlier of thisCase.lostBody ? attempts : attempts.slice(0, -1)) {
            expect([429, 503]).toContain(earlier.status);
            expect(earlier.oversized).toBe(false);
          }
          if (last && !thisCase.lostBody && (last.status === 429 || last.status === 503) && !last.oversized) expect(attempts.length).toBe(sequence.length);
          const refused407 = viaFetch && !thisCase.lostBody && last!.status === 407 && !last!.oversized;
          if (refused407) quirks.push('fetch made a 407 a network error');
          // The headers' values as the HTTP parser reads them (trimmed of spaces and tabs), as fetch's Headers normalise them.
          const lastHeaders = new Headers(thisCase.lostBody ? {} : last!.headers);
          const headerIds = requestIdHeaders.map((name) => lastHeaders.get(name));
          /** A request ID read from a header: its value, with or without the trailing spaces it was sent with (see above). */
          const fromHeader = (requestId: string) => {
            const trimmed = trimEndOws(requestId);
            if (trimmed !== requestId) tally.untrimmedIds++;
            return trimmed;
          };
          tally.requests += calls;
          tally.retried += attempts.length - (thisCase.lostBody ? 0 : 1);
          tally.droppedHeaders += served.reduce((sum, r) => sum + r.response.dropped.length, 0);
          for (const quirk of quirks) tally.quirks.set(quirk, (tally.quirks.get(quirk) ?? 0) + 1);

          let outcome: Outcome;
          if ('value' in result) {
            tally.resolved++;
            expect(thisCase.lostBody).toBe(false);
            expect(last!.oversized).toBe(false);
            if (call === 'get') {
              expect(last!.status).toBe(200);
              expect(typeof (result.value as EcsServer).status).toBe('string');
              outcome = { resolved: 200, requestId: undefined, alreadyStopped: undefined };
            } else {
              const value = result.value as StopServerResult;
              if (value.status === 409) {
                // ifAlreadyStopped: 'ok' made an "already stopped" error a success.
                expect([call, value.alreadyStopped]).toEqual(['stop-idempotent', true]);
              } else {
                expect(value).toMatchObject({ status: last!.status, alreadyStopped: false });
                expect([202, 204]).toContain(value.status);
                // The first request ID header that is not empty.
                expect(value.requestId === undefined ? undefined : fromHeader(value.requestId)).toBe(headerIds.find((id) => id) ?? undefined);
              }
              outcome = { resolved: value.status, requestId: value.requestId, alreadyStopped: value.alreadyStopped };
            }
          } else {
            tally.typed++;
            const { error } = result;
            expect(error, String(error)).toBeInstanceOf(EcsApiError);
            const e = error as EcsApiError;
            if (thisCase.lostBody) {
              expect([e.kind, e.status, e.code]).toEqual(['network', undefined, 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);
            } else if (last!.oversized) {
              // Refused by the HTTP parser: no response, so no status; not a connect failure, so not retried.
              tally.refusedHeaders++;
              expect([e.kind, e.status]).toEqual(['network', undefined]);
              expect(headerOverflowCodes).toContain(e.code);
            } else if (refused407) {
              // fetch's network error, without a system error's code.
              expect([e.kind, e.status, e.code]).toEqual(['network', undefined, undefined]);
            } else {
              expect(e.status).toBe(last!.status);
              expect(allowedKinds).toContain(e.kind);
              if (e.kind === 'http' && !(call === 'get' && last!.status === 200)) expect(e.message).toBe(`HTTP ${last!.status} ${last!.reason}`);
              // The request ID comes from a response header, or from the gateway body's request_id.
              if (e.requestId !== undefined) {
                const inBody = last!.body.toString('utf8').includes(JSON.stringify(e.requestId).slice(1, -1));
                expect(headerIds.includes(fromHeader(e.requestId)) || inBody).toBe(true);
              }
              if (call !== 'get') expect([202, 204]).not.toContain(last!.status);
            }
            expect(typeof e.message).toBe('string');
            expect(e.message.length).toBeGreaterThan(0);
            if (e.retryAfter !== undefined) expect(Number.isFinite(e.retryAfter) && e.retryAfter >= 0).toBe(true);
            if (e.code !== undefined) expect(typeof e.code).toBe('string');
            if (e.requestId !== undefined) expect(typeof e.requestId).toBe('string');
            expect(() => JSON.stringify(e)).not.toThrow();
            outcome = { error: e.status, kind: e.kind, code: e.code, message: e.message, requestId: e.requestId, retryAfter: e.retryAfter !== undefined };
          }
          ran.push({ fingerprint: fingerprint(sequence, call), serverId, requests: calls, outcome, quirks });
        },
      ),
      // As the unit file's response property: the same cases, first to last.
      { seed: seed + 3, numRuns: runs },
    );
    expect(ran).toHaveLength(runs);
    recorded.set(label, ran);
    const quirks = [...tally.quirks].map(([quirk, count]) => `${count} × ${quirk}`).join(', ');
    report.push(
      `${label}: ${runs} cases, ${tally.requests} requests (${tally.retried} retries by the client), ${tally.resolved} resolved, ${tally.typed} typed EcsApiError ` +
        `(${tally.refusedHeaders} of them a header block over ${maxHeaderSize} bytes refused by the client); ${tally.droppedHeaders} header values Node's server would not send; ` +
        `${tally.untrimmedIds} request IDs with their header's trailing spaces; fetch's own doing: ${quirks || 'none'}`,
    );
  });
});

describe('both transports', () => {
  it('end each sequence the same way: the same requests, result or error, apart from the differences modelled above', () => {
    const [fetchCases, nodeCases] = transports.map(([label]) => recorded.get(label));
    if (!fetchCases || !nodeCases) throw new Error('run with both transports (the two tests above) to compare them');
    expect(nodeCases.map((c) => c.fingerprint)).toEqual(fetchCases.map((c) => c.fingerprint));
    const show = (index: number) => {
      const [viaFetch, viaNode] = [fetchCases[index]!, nodeCases[index]!];
      const late = cases.get(viaFetch.serverId)!.late.map((r) => `Content-Length ${r.contentLength} body ${JSON.stringify(r.body)}`);
      const line =
        `case ${index} (${viaFetch.fingerprint}): fetch ${viaFetch.requests} requests${late.length > 0 ? ` and, after the call, ${late.join('; ')}` : ''}, ${JSON.stringify(viaFetch.outcome)} ` +
        `| nodeTransport() ${viaNode.requests} requests, ${JSON.stringify(viaNode.outcome)}`;
      return line.length > 800 ? `${line.slice(0, 800)}…` : line;
    };
    const differing: string[] = [];
    const known = new Map<Quirk, number[]>();
    let trailingSpaces = 0;
    const overflowCodes = new Set<string>();
    fetchCases.forEach((viaFetch, index) => {
      const viaNode = nodeCases[index]!;
      expect(viaNode.quirks).toEqual([]);
      if (viaFetch.quirks.length > 0) {
        for (const quirk of viaFetch.quirks) known.set(quirk, [...(known.get(quirk) ?? []), index]);
        return;
      }
      // The outcome class first (requests; result status, or error status and kind), then the details:
      // code, message, request ID, and whether a Retry-After was read.
      const classOf = ({ requests, outcome }: Recorded) => ('resolved' in outcome ? [requests, outcome.resolved] : [requests, outcome.error, outcome.kind]);
      const same = JSON.stringify(classOf(viaNode)) === JSON.stringify(classOf(viaFetch)) && JSON.stringify(comparable(viaNode)) === JSON.stringify(comparable(viaFetch));
      if (!same) return void differing.push(show(index));
      if (viaNode.outcome.requestId !== viaFetch.outcome.requestId) {
        trailingSpaces++;
        expect(viaNode.outcome.requestId, 'node:http trims the value').toBe(comparable(viaNode).requestId);
      }
      if ('error' in viaFetch.outcome && 'error' in viaNode.outcome && viaFetch.outcome.code !== viaNode.outcome.code) {
        overflowCodes.add(`${viaFetch.outcome.code} (fetch) / ${viaNode.outcome.code} (nodeTransport())`);
      }
    });
    // A request after its call ended: only fetch's resend of a 421 without its body.
    const late = [...fetchCases, ...nodeCases].map(({ serverId }) => cases.get(serverId)!).filter((each) => each.late.length > 0);
    for (const each of late) expect(each.lostBody).toBe(true);
    report.push(
      `both transports: ${fetchCases.length} cases compared, ${differing.length} differing unexpectedly; ${trailingSpaces} request IDs differing by trailing spaces only ` +
        `(kept by fetch, cut by nodeTransport()); header overflow codes: ${[...overflowCodes].join(', ') || 'none seen'}; ` +
        `${late.length} cases with a request after their call (so far)`,
    );
    for (const [quirk, indexes] of known) report.push(`differs as modelled, ${quirk}: ${indexes.length} cases, such as ${show(indexes[0]!)}`);
    for (const line of differing) report.push(`differs: ${line}`);
    expect(differing).toEqual([]);
  });
});

describe('where the transports differ: one minimal sequence each', () => {
  const [viaFetch, viaNode] = transports.map(([, options]) => options) as [Partial<EcsClientOptions>, Partial<EcsClientOptions>];
  const failure = ({ result }: Awaited<ReturnType<typeof exchange>>): EcsApiError => {
    if (!('error' in result)) throw new Error(`expected an EcsApiError, got ${JSON.stringify(result.value)}`);
    expect(result.error).toBeInstanceOf(EcsApiError);
    return result.error as EcsApiError;
  };
  const bodies = ({ thisCase }: Awaited<ReturnType<typeof exchange>>) => thisCase.served.map((r) => [r.contentLength, r.body]);

  it('a 407: a network error without status through fetch, the 407 through nodeTransport()', BUDGET, async () => {
    const sequence: ResponseSpec[] = [{ status: 407, headers: {}, body: '' }];
    const [fetched, noded] = [await exchange(sequence, 'stop', viaFetch), await exchange(sequence, 'stop', viaNode)];
    expect(failure(fetched)).toMatchObject({ kind: 'network', status: undefined, code: undefined });
    expect(failure(noded)).toMatchObject({ kind: 'http', status: 407, message: 'HTTP 407 Proxy Authentication Required' });
    expect([fetched.thisCase.served.length, noded.thisCase.served.length]).toEqual([1, 1]);
  });

  it('a 421 with a small body: POSTed again by fetch itself (two os-stop requests, the second answer taken), once by nodeTransport()', BUDGET, async () => {
    const sequence: ResponseSpec[] = [{ status: 421, headers: {}, body: '{}' }, { status: 202, headers: {}, body: null }];
    const [fetched, noded] = [await exchange(sequence, 'stop', viaFetch), await exchange(sequence, 'stop', viaNode)];
    expect(fetched.result).toEqual({ value: { status: 202, requestId: undefined, alreadyStopped: false } });
    expect(bodies(fetched)).toEqual([['14', STOP_BODY], ['14', STOP_BODY]]);
    expect(failure(noded)).toMatchObject({ kind: 'http', status: 421 });
    expect(bodies(noded)).toEqual([['14', STOP_BODY]]);
  });

  it('a 421 with a large body: through fetch, a network error UND_ERR_REQ_CONTENT_LENGTH_MISMATCH, and the POST sent again with no body; the 421 through nodeTransport()', BUDGET, async () => {
    const sequence: ResponseSpec[] = [{ status: 421, headers: {}, body: hugeBody }, { status: 202, headers: {}, body: null }];
    const [fetched, noded] = [await exchange(sequence, 'stop', viaFetch), await exchange(sequence, 'stop', viaNode)];
    expect(failure(fetched)).toMatchObject({ kind: 'network', status: undefined, code: 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' });
    expect(bodies(fetched)[0]).toEqual(['14', STOP_BODY]);
    // The request fetch sends again may come after the call failed (not waited for here: only what has come is checked).
    for (const again of [...fetched.thisCase.served.slice(1), ...fetched.thisCase.late]) expect([again.contentLength, again.body]).toEqual(['0', '']);
    expect(failure(noded)).toMatchObject({ status: 421 });
    expect(bodies(noded)).toEqual([['14', STOP_BODY]]);
  });

  it("a request ID header's trailing space: kept by fetch, cut by nodeTransport()", BUDGET, async () => {
    const sequence: ResponseSpec[] = [{ status: 202, headers: { 'x-openstack-request-id': 'req-1 ' }, body: null }];
    const [fetched, noded] = [await exchange(sequence, 'stop', viaFetch), await exchange(sequence, 'stop', viaNode)];
    expect(fetched.result).toEqual({ value: { status: 202, requestId: 'req-1 ', alreadyStopped: false } });
    expect(noded.result).toEqual({ value: { status: 202, requestId: 'req-1', alreadyStopped: false } });
  });

  it('a header block over 16 KiB: a network error through both, UND_ERR_HEADERS_OVERFLOW through fetch, HPE_HEADER_OVERFLOW through nodeTransport()', BUDGET, async () => {
    const sequence: ResponseSpec[] = [{ status: 202, headers: { 'x-openstack-request-id': hugeHeader }, body: null }];
    const [fetched, noded] = [await exchange(sequence, 'stop', viaFetch), await exchange(sequence, 'stop', viaNode)];
    expect(failure(fetched)).toMatchObject({ kind: 'network', status: undefined, code: 'UND_ERR_HEADERS_OVERFLOW' });
    expect(failure(noded)).toMatchObject({ kind: 'network', status: undefined, code: 'HPE_HEADER_OVERFLOW' });
  });
});
