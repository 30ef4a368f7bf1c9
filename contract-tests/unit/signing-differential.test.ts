/**
 * Differential test of SDK-HMAC-SHA256 signing: generated requests (paths with reserved,
 * percent-encoded and non-ASCII characters; queries with repeated names, empty values and '+';
 * header values with inner and outer spaces) signed by the client and by an independent
 * implementation of the published algorithm written here, from Huawei's API signing guide and its
 * Python signer (apig_sdk/signer.py): the URL as sent is split like signer.py splits it, the path
 * unquoted whole and split at '/', query names and values unquoted, every part re-quoted with only
 * `A-Za-z0-9_.-~` left as is, names then values sorted by code point, header values stripped as
 * Python's str.strip() does. It shares no code with src/auth.ts.
 *
 * The canonical request and the signature must be equal byte for byte, except for the inputs the
 * client refuses on purpose (see attacks-signing.test.ts): those must fail with EcsInputError,
 * never be signed differently, and nothing else may fail.
 *
 * `FC_SEED` replays a run; `SIGNING_RUNS` sets the number of cases (default 400).
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalRequest } from '../../src/auth/signing.js';
import { EcsInputError, signRequest } from '../../src/index.js';
import { VECTOR_AK, VECTOR_SK } from '../support/fixtures.js';

const seed = Number(process.env.FC_SEED ?? 20250915);
const numRuns = Number(process.env.SIGNING_RUNS ?? 400);
const AK = VECTOR_AK;
const SK = VECTOR_SK;
const DATE = new Date(Date.UTC(2024, 4, 6, 7, 8, 9));
const SDK_DATE = '20240506T070809Z';

// ---------------------------------------------------------------------------------------------
// The independent implementation

const utf8 = new TextEncoder();
const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Python's `quote(s, safe='~')`: UTF-8 bytes, all but `A-Za-z0-9_.-~` as %XX (uppercase). */
function quote(text: string): string {
  let out = '';
  for (const byte of utf8.encode(text)) {
    const isSafe =
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || [0x2d, 0x2e, 0x5f, 0x7e].includes(byte);
    out += isSafe ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Python's `unquote(s)`: each run of %XX escapes decoded as UTF-8 (invalid bytes as U+FFFD); '+' and everything else kept. */
function unquote(text: string): string {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => decoder.decode(Uint8Array.from(run.slice(1).split('%'), (h) => parseInt(h, 16))));
}

/** Python's `str.strip()` (its whitespace, as far as a header value, at most U+00FF, can hold it). */
const pyStrip = (text: string): string => text.replace(/^[\t\n\v\f\r\x1c-\x1f \x85\xa0]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0]+$/g, '');

/** Python compares `str` by code point. */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

interface Split {
  host: string;
  path: string;
  rawQuery: string;
  query: Map<string, string[]>;
}

/** signer.py's `HttpRequest(method, url)`: scheme, then query (pairs with an empty name skipped), then host and path. */
function splitUrl(url: string): Split {
  let rest = url.slice(url.indexOf('://') + 3);
  const q = rest.indexOf('?');
  const rawQuery = q < 0 ? '' : rest.slice(q + 1);
  if (q >= 0) rest = rest.slice(0, q);
  const query = new Map<string, string[]>();
  if (q >= 0) {
    for (const pair of rawQuery.split('&')) {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      if (name === '') continue;
      const key = unquote(name);
      query.set(key, [...(query.get(key) ?? []), unquote(value)]);
    }
  }
  const slash = rest.indexOf('/');
  return { host: slash < 0 ? rest : rest.slice(0, slash), path: slash < 0 ? '/' : rest.slice(slash), rawQuery, query };
}

function referenceSign(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
): { canonicalRequest: string; authorization: string } {
  const { host, path, query } = splitUrl(url);
  let uri = unquote(path).split('/').map(quote).join('/');
  if (!uri.endsWith('/')) uri += '/';
  const pairs: string[] = [];
  for (const name of [...query.keys()].sort(byCodePoint)) {
    for (const value of [...query.get(name)!].sort(byCodePoint)) pairs.push(`${quote(name)}=${quote(value)}`);
  }
  const all: Record<string, string> = { host, ...headers, 'x-sdk-date': SDK_DATE };
  const names = Object.keys(all).sort();
  const canonical = [
    method.toUpperCase(),
    uri,
    pairs.join('&'),
    `${names.map((name) => `${name}:${pyStrip(all[name]!)}`).join('\n')}\n`,
    names.join(';'),
    sha256Hex(body),
  ].join('\n');
  const signature = createHmac('sha256', SK).update(`SDK-HMAC-SHA256\n${SDK_DATE}\n${sha256Hex(canonical)}`).digest('hex');
  return { canonicalRequest: canonical, authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

/** The fields of the inputs the client refuses on purpose (attacks-signing.test.ts says why). */
function refusals(url: string, headers: Record<string, string>): Set<string> {
  const fields = new Set<string>();
  const { path, rawQuery } = splitUrl(url);
  const notUtf8 = (text: string) =>
    (text.match(/(?:%[0-9A-Fa-f]{2})+/g) ?? []).some((run) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(run.slice(1).split('%'), (h) => parseInt(h, 16)));
        return false;
      } catch {
        return true;
      }
    });
  if (
    /%(?![0-9A-Fa-f]{2})/.test(`${path}?${rawQuery}`) || // malformed escape
    /%2F/i.test(path) || // encoded '/' in the path
    notUtf8(path) ||
    notUtf8(rawQuery) ||
    rawQuery.includes('+') ||
    rawQuery.split('&').some((pair) => pair.startsWith('=')) // empty name
  ) {
    fields.add('url');
  }
  for (const [name, value] of Object.entries(headers)) if (/[^\t\x20-\x7e]/.test(value)) fields.add(`headers.${name}`);
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Generated requests

const nonAscii = fc
  .oneof(
    fc.constantFrom('é', '\u00a0', '\u4e00', '\uFF5E', '\uE000', '\uFFFD', '\uFEFF', '\u{1F600}', '\u{10FFFF}'),
    fc.integer({ min: 0x80, max: 0xd7ff }),
    fc.integer({ min: 0xe000, max: 0xffff }),
    fc.integer({ min: 0x10000, max: 0x10ffff }),
  )
  .map((c) => (typeof c === 'number' ? String.fromCodePoint(c) : c));
const randomCase = (text: string, lower: boolean) => (lower ? text.toLowerCase() : text);
const asciiEscape = fc.tuple(fc.integer({ min: 0, max: 0x7f }), fc.boolean()).map(([b, lower]) => randomCase(`%${b.toString(16).toUpperCase().padStart(2, '0')}`, lower));
const utf8Escape = fc.tuple(nonAscii, fc.boolean()).map(([c, lower]) => randomCase(encodeURIComponent(c), lower));
const word = fc.string({ unit: fc.constantFrom(...'abzAZ09-._~'), minLength: 1, maxLength: 4 });
const oddEscape = fc.constantFrom('%2F', '%2f', '%zz', '%4', '%', '%FF', '%C3%28', '%ED%A0%80', '%C0%AF', '%25', '%252F', '%2B', '%20');

const pathPiece = fc.oneof(
  { weight: 10, arbitrary: word },
  { weight: 3, arbitrary: fc.constantFrom(...`!$&'()*+,;=:@|[]^\`{}" <>`.split('')) },
  { weight: 3, arbitrary: asciiEscape },
  { weight: 3, arbitrary: utf8Escape },
  { weight: 2, arbitrary: nonAscii },
  { weight: 1, arbitrary: fc.constantFrom('.', '..', '%2e', '%2E%2E') },
  { weight: 1, arbitrary: oddEscape },
);
const segment = fc.array(pathPiece, { maxLength: 4 }).map((pieces) => pieces.join(''));
const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((segments) => `/${segments.join('/')}`);

const queryPiece = fc.oneof(
  { weight: 10, arbitrary: word },
  { weight: 2, arbitrary: fc.constantFrom(...`!$'()*,;:@/? "<>|`.split('')) },
  { weight: 2, arbitrary: asciiEscape },
  { weight: 2, arbitrary: utf8Escape },
  { weight: 2, arbitrary: nonAscii },
  { weight: 1, arbitrary: fc.constantFrom('%26', '%3D', '=') },
  { weight: 1, arbitrary: fc.oneof(fc.constant('+'), oddEscape) },
);
const queryText = (maxLength: number) => fc.array(queryPiece, { maxLength }).map((pieces) => pieces.join(''));
// Names from a small set, so that they repeat; BMP and astral ones, to test the order.
const queryName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'A', 'limit', 'marker', 'é', '\uFF5E', '\uE000', '\u{1F600}', '~', '%C3%A9') },
  { weight: 1, arbitrary: queryText(3).filter((name) => !name.startsWith('=')) },
);
const queryPair = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(queryName, queryText(4)).map(([name, value]) => `${name}=${value}`) },
  { weight: 2, arbitrary: queryName },
  { weight: 1, arbitrary: queryText(2).map((value) => `=${value}`) },
  { weight: 1, arbitrary: fc.constant('') },
);
const query = fc.option(
  fc.array(queryPair, { maxLength: 6 }).map((pairs) => `?${pairs.join('&')}`),
  { nil: '', freq: 4 },
);

const space = fc.constantFrom(' ', '  ', '\t', ' \t ');
const withSpaces = (core: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.option(space, { nil: '' }), core, fc.option(space, { nil: '' }), fc.option(space, { nil: '' }), core)
    .map(([before, a, inner, after, b]) => (inner ? `${before}${a}${inner}${b}${after}` : `${before}${a}${after}`));
const oddHeaderChar = fc.constantFrom('\u00a0', '\u0085', '\u000b', '\u000c', '\u001c', '\u001f', 'é', '\u00ff');
const headerValue = (core: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 12, arbitrary: withSpaces(core) },
    { weight: 1, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc.tuple(oddHeaderChar, core, fc.boolean()).map(([odd, value, atEnd]) => (atEnd ? `${value}${odd}` : `${odd}${value}`)),
    },
  );

const requestCase = fc.record({
  host: fc.constantFrom('ecs.cn-north-4.myhuaweicloud.com', '127.0.0.1:4010', 'ecs.example.com:8443'),
  path,
  query,
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  body: fc.string({ unit: 'grapheme', maxLength: 40 }),
  contentType: fc.option(headerValue(fc.constantFrom('application/json', 'application/json;charset=utf-8', 'text/plain')), { nil: undefined }),
  projectId: fc.option(headerValue(fc.stringMatching(/^[0-9a-f]{32}$/)), { nil: undefined }),
  securityToken: fc.option(fc.string({ unit: fc.constantFrom(...'abcXYZ019-_=+/'), minLength: 1, maxLength: 20 }), { nil: undefined }),
});

// ---------------------------------------------------------------------------------------------

describe('signing: the client against an independent implementation of the published algorithm', () => {
  it('first checks the independent implementation on the published vector (facts.md §4)', () => {
    const url = 'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0';
    const { canonicalRequest: text } = referenceSign('GET', url, { 'content-type': 'application/json' }, new Uint8Array());
    expect(sha256Hex(text.replace(SDK_DATE, '20191115T033655Z'))).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
  });

  it(`signs ${numRuns} generated requests byte for byte alike, or refuses them on purpose (seed ${seed})`, async () => {
    const tally = { signed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(requestCase, async (c) => {
        const hasBody = c.method !== 'GET' && c.body !== '';
        const headers: Record<string, string> = {};
        if (c.contentType !== undefined) headers['Content-Type'] = c.contentType;
        if (c.projectId !== undefined) headers['X-Project-Id'] = c.projectId;
        const request = new Request(`https://${c.host}${c.path}${c.query}`, {
          method: c.method,
          headers,
          ...(hasBody ? { body: c.body } : {}),
        });
        const credentials = { ak: AK, sk: SK, ...(c.securityToken === undefined ? {} : { securityToken: c.securityToken }) };

        // What the server is sent: the serialized URL, the header values as Headers keeps them.
        const sentHeaders: Record<string, string> = {};
        for (const name of ['content-type', 'x-project-id']) {
          const value = request.headers.get(name);
          if (value !== null) sentHeaders[name] = value;
        }
        if (c.securityToken !== undefined) sentHeaders['x-security-token'] = c.securityToken;
        const body = hasBody ? utf8.encode(c.body) : new Uint8Array();
        const expectedRefusal = refusals(request.url, sentHeaders);

        let signed: Request | undefined;
        let error: unknown;
        try {
          signed = await signRequest(request, credentials, DATE);
        } catch (e) {
          error = e;
        }

        if (expectedRefusal.size > 0) {
          expect(signed, `signed although refusable: ${request.url}`).toBeUndefined();
          expect(error).toBeInstanceOf(EcsInputError);
          expect(expectedRefusal).toContain((error as EcsInputError).field);
          tally.refused++;
          return;
        }
        expect(error, `refused: ${request.url} ${JSON.stringify(sentHeaders)}`).toBeUndefined();
        const reference = referenceSign(c.method, request.url, sentHeaders, body);

        const clientHeaders = new Headers(request.headers);
        clientHeaders.set('X-Sdk-Date', SDK_DATE);
        if (c.securityToken !== undefined) clientHeaders.set('X-Security-Token', c.securityToken);
        const client = canonicalRequest(c.method, request.url, clientHeaders, sha256Hex(body));
        expect(client.canonicalRequest).toBe(reference.canonicalRequest);
        expect(signed!.headers.get('Authorization')).toBe(reference.authorization);
        expect(signed!.url).toBe(request.url);
        tally.signed++;
      }),
      { seed, numRuns },
    );
    console.log(`signing differential: ${tally.signed + tally.refused} generated requests (seed ${seed}): ${tally.signed} signed alike, ${tally.refused} refused on purpose`);
    expect(tally.signed + tally.refused).toBe(numRuns);
    // Both outcomes must be well represented for the comparison to mean something.
    expect(tally.signed).toBeGreaterThan(numRuns / 4);
    expect(tally.refused).toBeGreaterThan(numRuns / 10);
  }, Math.max(30_000, numRuns * 20));
});
