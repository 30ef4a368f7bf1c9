/**
 * Attacks on, and edge cases of, SDK-HMAC-SHA256 signing: one row each, with its expected outcome.
 *
 * The reference is Huawei's published Python signer, apig_sdk/signer.py of the API signing guide's
 * SDK (the copy read is vendored in github.com/dnqq/HuaweiCloudTrafficMonitor, apig_sdk/signer.py).
 * signing-vectors.json holds, for every row, the canonical request and Authorization header that
 * signer.py gives when run on the URL and header values exactly as this client sends them. Its code
 * is not part of this repository; only its outputs are.
 *
 * - `match` rows must be signed byte for byte as signer.py signs them;
 * - `refused` rows are inputs on which Huawei's signers disagree with each other, or sign a request
 *   other than the one sent. They must fail with EcsInputError naming the field, before anything
 *   is signed or sent. Their signer.py output stays in the vectors file to show what signing them
 *   would have meant. The other published signers compared are huaweicloud-sdk-python-v3
 *   (huaweicloudsdkcore/signer/signer.py) and huaweicloud-sdk-go-v3 (core/auth/signer/signer.go),
 *   which take a decoded path and structured query parameters rather than a URL.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalRequest } from '../../src/auth/signing.js';
import { akskAuth, EcsInputError, signRequest } from '../../src/index.js';
import { authorize, VECTOR_AK as AK, VECTOR_SK as SK } from '../support/fixtures.js';

const DATE = new Date(Date.UTC(2019, 10, 15, 3, 36, 55)); // X-Sdk-Date 20191115T033655Z

interface Vector {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signerPy: { canonicalRequest: string; authorization: string };
}
const { vectors } = JSON.parse(readFileSync(new URL('./signing-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

type Outcome = { match: true } | { refused: string; because: RegExp };
const MATCH: Outcome = { match: true };
const refusedUrl = (because: RegExp): Outcome => ({ refused: 'url', because });
const ENCODED_SLASH = /%2F \(an encoded '\/'\)/;
const BAD_ESCAPE = /'%' that does not start a %XX escape/;
const NOT_UTF8 = /%-escapes that are not UTF-8/;
const PLUS = /literal '\+'/;
const EMPTY_NAME = /empty name/;
const HEADER = /printable ASCII/;

interface Row {
  id: string;
  attack: string;
  outcome: Outcome;
}

const rows: Row[] = [
  { id: 'published-vector', attack: "Huawei's published test vector (facts.md §4)", outcome: MATCH },
  { id: 'stop-action-with-body', attack: 'the stop action itself, with X-Project-Id and a JSON body', outcome: MATCH },

  // %2F: signer.py unquotes the whole path, then splits it at '/', so `a%2Fb` is signed as the two
  // segments `a/b` while the server is sent one segment `a%2Fb` (the Go SDK cannot send it at all:
  // its path is unencoded). Matching would sign a different path from the one sent: refused.
  { id: 'path-encoded-slash', attack: '%2F inside a path segment', outcome: refusedUrl(ENCODED_SLASH) },
  { id: 'path-encoded-slash-lowercase', attack: '%2f inside a path segment', outcome: refusedUrl(ENCODED_SLASH) },
  { id: 'path-encoded-percent-then-2F', attack: '%252F: an encoded %, then 2F (decoded once, as signer.py does)', outcome: MATCH },

  // Malformed escapes: signer.py passes them through unquote and signs `%25zz`; Go's URL parser
  // rejects them. They have no defined meaning, so what the server reads is anyone's guess: refused.
  { id: 'path-malformed-escape', attack: '%zz in the path', outcome: refusedUrl(BAD_ESCAPE) },
  { id: 'path-truncated-escape', attack: '%4 (one hex digit) at the end of the path', outcome: refusedUrl(BAD_ESCAPE) },
  { id: 'path-lone-percent', attack: 'a lone % at the end of the path', outcome: refusedUrl(BAD_ESCAPE) },

  // Escapes that are not UTF-8: signer.py replaces them with U+FFFD (so %FF, %FE, ... all sign as
  // %EF%BF%BD); the Go SDK signs the byte itself (%FF). The signers disagree: refused.
  { id: 'path-escape-FF', attack: '%FF in the path', outcome: refusedUrl(NOT_UTF8) },
  { id: 'path-truncated-utf8', attack: '%C3%28, a truncated UTF-8 sequence', outcome: refusedUrl(NOT_UTF8) },
  { id: 'path-encoded-surrogate', attack: '%ED%A0%80, an encoded UTF-16 surrogate', outcome: refusedUrl(NOT_UTF8) },
  { id: 'path-overlong-utf8', attack: '%C0%AF, an overlong encoding of /', outcome: refusedUrl(NOT_UTF8) },

  { id: 'path-utf8-escape', attack: '%C3%A9 (é) in the path', outcome: MATCH },
  { id: 'path-utf8-escape-lowercase-hex', attack: '%c3%a9: lowercase hex is signed uppercase', outcome: MATCH },
  { id: 'path-raw-non-ascii-bmp-and-astral', attack: 'raw é, U+1F600 and U+FF5E in the path', outcome: MATCH },
  { id: 'path-over-encoded-unreserved', attack: '%41%7E%2D%2E%5F: escaped unreserved characters are signed decoded', outcome: MATCH },
  { id: 'path-reserved-raw', attack: "raw !$&'()*+,;=:@ in a segment ('+' is a plus in a path)", outcome: MATCH },
  { id: 'path-space-and-controls-escaped', attack: 'a space, %00 and %09 in the path', outcome: MATCH },
  { id: 'path-encoded-query-and-fragment-chars', attack: '%3F and %23 in a segment', outcome: MATCH },
  { id: 'path-encoded-percent', attack: '%25 alone', outcome: MATCH },
  { id: 'path-dot-segments', attack: './, ../ and %2e%2E segments (resolved by the URL parser before signing)', outcome: MATCH },
  { id: 'path-double-slash', attack: '// in the path, signed as sent', outcome: MATCH },
  { id: 'path-trailing-slash', attack: 'a trailing / is not doubled', outcome: MATCH },
  { id: 'path-empty', attack: 'no path at all', outcome: MATCH },

  // A literal '+': signer.py signs it as a plus (`a=b%2Bc`), but URLSearchParams, WSGI servers and
  // the guide's Go signer (net/http's URL.Query()) read a space; the published SDKs never send a raw
  // '+' (they send %2B). Signed either way, one of them reads another value than the one signed: refused.
  { id: 'query-plus-in-value', attack: 'a=b+c', outcome: refusedUrl(PLUS) },
  { id: 'query-plus-in-key', attack: 'a+b=c', outcome: refusedUrl(PLUS) },
  { id: 'query-encoded-plus', attack: 'a=b%2Bc, the unambiguous plus', outcome: MATCH },
  { id: 'query-encoded-space', attack: 'a=b%20c, the unambiguous space', outcome: MATCH },
  { id: 'query-raw-space', attack: 'a=b c (the URL parser sends %20)', outcome: MATCH },

  // An empty name: signer.py skips the parameter, so `=x` would be sent but not signed (anyone could
  // add or change it); the Go SDK signs `=x` but strips the '=' from the query it sends: refused.
  { id: 'query-empty-name', attack: '?=x', outcome: refusedUrl(EMPTY_NAME) },
  { id: 'query-empty-name-and-value', attack: '?=', outcome: refusedUrl(EMPTY_NAME) },
  { id: 'query-empty-name-among-others', attack: '?a=1&=x', outcome: refusedUrl(EMPTY_NAME) },
  { id: 'query-name-without-value', attack: '?a&b= (a name without =, signed as a=)', outcome: MATCH },
  { id: 'query-empty-pairs', attack: '?&a=1&&b=2& (empty pairs are skipped by everyone)', outcome: MATCH },
  { id: 'query-lone-question-mark', attack: 'a ? with no query', outcome: MATCH },

  { id: 'query-malformed-escape', attack: 'a=%zz', outcome: refusedUrl(BAD_ESCAPE) },
  { id: 'query-escape-FF', attack: 'a=%FF', outcome: refusedUrl(NOT_UTF8) },
  { id: 'query-escape-FF-in-key', attack: '%FF=1', outcome: refusedUrl(NOT_UTF8) },

  // Order: names, then values of a repeated name, decoded and compared by Unicode code point (Python
  // sorts str by code point, Go sorts UTF-8 bytes: the same order), not by UTF-16 code unit.
  { id: 'query-repeated-keys', attack: 'repeated names: values sorted as strings (1 < 10 < 9)', outcome: MATCH },
  { id: 'query-astral-vs-bmp-keys', attack: 'names U+1F600 and U+FF5E: U+FF5E first (UTF-16 order puts U+1F600 first)', outcome: MATCH },
  { id: 'query-astral-vs-bmp-values', attack: 'values U+1F600 and U+E000 of one name: U+E000 first', outcome: MATCH },
  { id: 'query-decoded-not-encoded-order', attack: '~ before é: sorted decoded (encoded, %C3%A9 would come first)', outcome: MATCH },
  { id: 'query-case-sensitive-order', attack: 'B before a before b: names are not lowercased', outcome: MATCH },
  { id: 'query-encoded-separators', attack: '%3D and %26 inside names and values', outcome: MATCH },
  { id: 'query-encoded-slash', attack: '%2F in a query value (fine: only the path is split at /)', outcome: MATCH },
  { id: 'query-reserved-raw', attack: "raw !$'()*,;:@/? in a value", outcome: MATCH },

  // Header values: outer spaces and tabs are removed (by Headers, then trim) as signer.py's strip()
  // does, inner ones kept. Other characters at the ends are trimmed differently by each signer
  // (Python's strip() removes \x85, \xa0, \x0b, \x1c; Go's TrimSpace all but \x1c; JavaScript's
  // trim() only \xa0 and \x0b), and non-ASCII ones are sent as Latin-1 but signed as UTF-8: refused.
  { id: 'header-outer-spaces', attack: 'outer spaces and tabs in Content-Type and X-Project-Id', outcome: MATCH },
  { id: 'header-inner-spaces', attack: 'two inner spaces in Content-Type', outcome: MATCH },
  { id: 'header-inner-tab', attack: 'an inner tab in Content-Type', outcome: MATCH },
  { id: 'header-empty-value', attack: 'an empty Content-Type', outcome: MATCH },
  { id: 'header-nbsp-outside', attack: 'Content-Type between no-break spaces (U+00A0)', outcome: { refused: 'headers.content-type', because: HEADER } },
  { id: 'header-next-line-outside', attack: 'Content-Type ending in NEL (U+0085)', outcome: { refused: 'headers.content-type', because: HEADER } },
  { id: 'header-vertical-tab-outside', attack: 'Content-Type ending in a vertical tab', outcome: { refused: 'headers.content-type', because: HEADER } },
  { id: 'header-file-separator-outside', attack: 'X-Project-Id ending in \\x1c', outcome: { refused: 'headers.x-project-id', because: HEADER } },
  { id: 'header-non-ascii', attack: 'é in Content-Type', outcome: { refused: 'headers.content-type', because: HEADER } },
];

const vectorOf = (id: string): Vector => {
  const vector = vectors.find((v) => v.id === id);
  if (!vector) throw new Error(`no vector ${id}`);
  return vector;
};

function requestOf(vector: Vector): Request {
  return new Request(vector.url, {
    method: vector.method,
    headers: vector.headers,
    ...(vector.body === undefined ? {} : { body: vector.body }),
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('signing attacks and edge cases, against signer.py output', () => {
  it('has one row per vector', () => {
    expect(rows.map((row) => row.id).sort()).toEqual(vectors.map((vector) => vector.id).sort());
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
  });

  it('the vectors file carries the published vector (facts.md §4)', () => {
    const published = vectorOf('published-vector').signerPy;
    expect(sha256(published.canonicalRequest)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(published.authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, ' +
        'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  it.each(rows.filter((row) => 'match' in row.outcome))('$id: $attack -> signed as signer.py signs it', async (row) => {
    const vector = vectorOf(row.id);
    const request = requestOf(vector);
    const signed = await signRequest(request, { ak: AK, sk: SK }, DATE);
    expect(signed.headers.get('Authorization')).toBe(vector.signerPy.authorization);
    expect(signed.url).toBe(request.url); // sent as given: nothing rewritten to make the signature fit

    const headers = new Headers(request.headers);
    headers.set('X-Sdk-Date', '20191115T033655Z');
    const body = new Uint8Array(await request.arrayBuffer());
    expect(canonicalRequest(request.method, request.url, headers, sha256(body)).canonicalRequest).toBe(vector.signerPy.canonicalRequest);

    const viaAuth = await authorize(akskAuth({ ak: AK, sk: SK }, { now: () => DATE }), requestOf(vector));
    expect((viaAuth as Request).headers.get('Authorization')).toBe(vector.signerPy.authorization);
  });

  it.each(rows.filter((row) => 'refused' in row.outcome))('$id: $attack -> refused before signing', async (row) => {
    const { refused, because } = row.outcome as { refused: string; because: RegExp };
    const vector = vectorOf(row.id);
    const expectRefusal = (error: unknown) => {
      expect(error).toBeInstanceOf(EcsInputError);
      expect((error as EcsInputError).field).toBe(refused);
      expect((error as Error).message).toMatch(because);
      expect((error as Error).message).not.toContain(vector.url); // names the problem, does not echo the input
    };

    expectRefusal(await caught(signRequest(requestOf(vector), { ak: AK, sk: SK }, DATE)));

    // Through the auth: the call fails before fetch is reached.
    let sent = 0;
    const auth = akskAuth({ ak: AK, sk: SK }, { now: () => DATE });
    const error = await caught(
      (async () => {
        const signed = await authorize(auth, requestOf(vector));
        sent += signed ? 1 : 0;
      })(),
    );
    expectRefusal(error);
    expect(sent).toBe(0);

    // And canonicalRequest itself refuses it, so no other path signs it either.
    const headers = new Headers(vector.headers);
    headers.set('X-Sdk-Date', '20191115T033655Z');
    let direct: unknown;
    try {
      canonicalRequest(vector.method, requestOf(vector).url, headers, sha256(''));
    } catch (e) {
      direct = e;
    }
    expectRefusal(direct);
  });
});
