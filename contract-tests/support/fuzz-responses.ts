/**
 * The server responses the fuzz tests draw: random statuses (200-599), headers (request IDs,
 * Retry-After, content type and length, junk; latin-1, sometimes 100k characters) and bodies (the
 * error shapes of Nova, ECS, the API gateway and the identity layer, whole or cut, any JSON, text,
 * bytes, a 1.5 MB and a 50,000-deep body). Shared by unit/fuzz.test.ts (an injected fetch) and
 * integration/fuzz-wire.test.ts (the same responses on a real socket).
 */
import fc from 'fast-check';

/** `length` hex digits, either case. */
export const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });

export const novaFaultNames = [
  'badRequest', 'unauthorized', 'forbidden', 'itemNotFound', 'badMethod', 'conflictingRequest',
  'overLimit', 'badMediaType', 'notImplemented', 'serviceUnavailable', 'computeFault',
];
export const allowedKinds = new Set([...novaFaultNames, 'ecs', 'gateway', 'identity', 'http']);
export const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 });
export const hugeHeader = `req-${'9'.repeat(100_000)}`;
export const headerValue = fc.oneof({ weight: 5, arbitrary: latin1 }, { weight: 1, arbitrary: fc.constant(hugeHeader) }, { weight: 1, arbitrary: fc.uuid().map((u) => `req-${u}`) });
export const retryAfter = fc.oneof(
  fc.nat({ max: 100_000 }).map(String),
  fc.constantFrom('-1', '1.5', 'soon', '0x10', ' 5 ', 'NaN', 'Infinity', '99999999999999999999', 'Wed, 21 Oct 2015 07:28:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT'),
  headerValue,
);
export const responseHeaders = fc.record(
  {
    'retry-after': retryAfter,
    'x-openstack-request-id': headerValue,
    'x-compute-request-id': headerValue,
    'x-request-id': headerValue,
    'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', 'application/octet-stream', ''),
    'content-length': fc.constantFrom('0', '1', '42', '999999999', 'abc'),
    'x-junk': latin1,
  },
  { requiredKeys: [] },
);
export const jsonish = fc.jsonValue({ maxDepth: 2 });
export const errorShape = fc.oneof(
  fc
    .record({
      name: fc.constantFrom(...novaFaultNames, 'notAFault', 'message'),
      code: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.string()),
      message: fc.oneof(fc.string({ unit: 'binary' }), fc.constant(''), fc.integer(), fc.constant(null), fc.constant(`Cannot 'stop' instance x while it is in vm_state stopped`)),
      retryAfter: fc.oneof(fc.integer(), fc.string(), fc.double(), fc.constant(null)),
    }, { requiredKeys: ['name'] })
    .map(({ name, ...rest }) => ({ [name]: rest })),
  fc
    .record({
      code: fc.oneof(fc.stringMatching(/^Ecs\.\d{4}$/), fc.constant('Ecs.1000'), fc.string(), fc.integer()),
      message: fc.oneof(
        fc.string({ unit: 'binary' }),
        fc.constant(`{"conflictingRequest": {"code": 409, "message": "Cannot 'stop' instance x while it is in vm_state stopped"}}`),
        jsonish.map((v) => JSON.stringify(v)),
      ),
    }, { requiredKeys: [] })
    .map((error) => ({ error })),
  fc.record({ error_code: fc.oneof(fc.stringMatching(/^APIGW\.\d{4}$/), fc.string(), fc.integer()), error_msg: fc.oneof(fc.string(), fc.integer()), request_id: fc.oneof(hex(32), fc.string()) }, { requiredKeys: [] }),
  fc.record({ server: fc.oneof(fc.record({ id: fc.string(), status: fc.oneof(fc.constantFrom('SHUTOFF', 'ACTIVE'), fc.string(), fc.integer()) }, { requiredKeys: [] }), jsonish) }),
  jsonish,
);
export const hugeBody = `{"computeFault": {"code": 500, "message": "${'m'.repeat(1_500_000)}"}}`;
export const deepBody = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
export const bodyArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant<string | Uint8Array | null>(null) },
  { weight: 5, arbitrary: errorShape.map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.tuple(errorShape.map((v) => JSON.stringify(v)), fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))) },
  { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '{', '"x"', '<html><body><h1>502 Bad Gateway</h1></body></html>', '\u0000\u0001') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }) },
  { weight: 1, arbitrary: fc.constantFrom(hugeBody, deepBody) },
);
export const status = fc.oneof(fc.integer({ min: 200, max: 599 }), fc.constantFrom(200, 202, 204, 400, 401, 404, 409, 429, 500, 502, 503));
export const responseSpec = fc.record({ status, headers: responseHeaders, body: bodyArb });
export type ResponseSpec = { status: number; headers: Record<string, string>; body: string | Uint8Array | null };
