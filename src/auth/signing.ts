/**
 * Huawei's AK/SK request signing (`SDK-HMAC-SHA256`, the API signing guide), over the exact bytes
 * sent. No Node-only import: hashing uses node:crypto where the runtime offers it (Node, Deno, Bun)
 * and Web Crypto elsewhere, so the same code runs in browsers too.
 */
import { EcsInputError } from '../errors/input-error.js';

export interface AkSkCredentials {
  ak: string;
  sk: string;
  securityToken?: string;
}

const ALGORITHM = 'SDK-HMAC-SHA256';
// Spelled this way because the global `CryptoKey` type needs the DOM lib.
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

interface NodeCrypto {
  createHash(algorithm: 'sha256'): Digest;
  createHmac(algorithm: 'sha256', key: string): Digest;
  // One call, no Hash object: Node 20.12 and later; other runtimes may not have it.
  hash?(algorithm: 'sha256', data: Uint8Array | string): string;
}
interface Digest {
  update(data: Uint8Array | string): Digest;
  digest(encoding: 'hex'): string;
}
// Node, Deno and Bun offer node:crypto synchronously through process.getBuiltinModule: each
// Web Crypto call costs Node a thread-pool round trip, which made signing ~5x slower. Web
// Crypto stays the path everywhere else (browsers, workers).
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;

export type Hmac = (message: string) => string | Promise<string>;

export function hmacWith(sk: string): Hmac {
  if (nodeCrypto) return (message) => nodeCrypto.createHmac('sha256', sk).update(message).digest('hex');
  let key: Promise<HmacKey> | undefined;
  return async (message) => {
    key ??= crypto.subtle.importKey('raw', encoder.encode(sk), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return hex(await crypto.subtle.sign('HMAC', await key, encoder.encode(message)));
  };
}

const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 in hex: at once with node:crypto, else through Web Crypto. */
function sha256Hex(data: Uint8Array | string): string | Promise<string> {
  if (nodeCrypto) return nodeCrypto.hash?.('sha256', data) ?? nodeCrypto.createHash('sha256').update(data).digest('hex');
  return crypto.subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : data).then(hex);
}

/** `value`, or what it resolves to, handed to `next`: synchronous all the way where the value is. */
function then<T, U>(value: T | Promise<T>, next: (value: T) => U | Promise<U>): U | Promise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

// The body hash of the last string body signed: a client sends the same few bodies again and again.
let lastBody: string | undefined;
let lastBodyHash = '';

function bodyHash(body: Uint8Array | string | null): string | Promise<string> {
  if (typeof body !== 'string' && body !== null) return sha256Hex(body);
  const text = body ?? '';
  if (text === lastBody) return lastBodyHash;
  return then(sha256Hex(text), (hash) => {
    lastBody = text;
    lastBodyHash = hash;
    return hash;
  });
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

export function formatSdkDate(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new EcsInputError('date', 'must be a valid Date');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new EcsInputError('date', 'must be between the years 0 and 9999');
  // 2019-11-15T03:36:55.000Z -> 20191115T033655Z
  const day = `${String(year).padStart(4, '0')}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}`;
  return `${day}T${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}Z`;
}

/** RFC 3986: everything but unreserved characters (`A-Za-z0-9-._~`) percent-encoded as UTF-8. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Each segment of a pathname percent-decoded and re-encoded. Signing refuses, before this is
 * reached, the paths on which Huawei's signers disagree (see `checkSignableUrl`); other callers
 * get a `%` that starts no UTF-8 escape kept as it is.
 */
export function canonicalUri(pathname: string): string {
  const uri = pathname
    .split('/')
    .map((segment) => {
      try {
        return rfc3986(decodeURIComponent(segment));
      } catch {
        return segment;
      }
    })
    .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/**
 * Unicode code point order, as Huawei's signers sort (Python compares `str` by code point, Go
 * `sort.Strings` compares UTF-8 bytes, which is the same order). JavaScript's `<` compares UTF-16
 * code units instead, which puts an astral character (a surrogate pair, 0xD800-0xDBFF first) before
 * BMP characters from U+E000 to U+FFFF. At the first differing unit, moving 0xE000-0xFFFF below
 * the surrogates gives code point order.
 */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

const codePointRank = (unit: number): number => (unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800);

export function canonicalQueryString(search: string | URLSearchParams): string {
  // A copy of URLSearchParams, or the parameters of a query string.
  return [...new URLSearchParams(search)]
    .sort(([ka, va], [kb, vb]) => compareCodePoints(ka, kb) || compareCodePoints(va, vb))
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
}

/*
 * Inputs refused before signing. Huawei's published signers (the API signing guide's
 * apig_sdk/signer.py; huaweicloud-sdk-python-v3 huaweicloudsdkcore/signer/signer.py;
 * huaweicloud-sdk-go-v3 core/auth/signer/signer.go) percent-decode the path and the query before
 * re-encoding them, so on these inputs they either disagree with each other or sign something other
 * than what this client sends. Signing them one way or another would give a request that one of
 * them, or the server, reads differently; refusing them is the only unambiguous answer.
 */
function hasUtf8Escapes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

function checkSignableUrl(target: URL): void {
  const path = target.pathname;
  const query = target.search.slice(1);
  const refuse = (problem: string): never => {
    throw new EcsInputError('url', `must not ${problem}`);
  };
  // `%zz`, `%4`: signer.py signs `%25zz`, Go's URL parsing rejects it; it has no defined meaning.
  // ('?' is no hex digit: a '%' that ends the path is caught too.)
  if (/%(?![0-9A-Fa-f]{2})/.test(`${path}?${query}`)) refuse("contain a '%' that does not start a %XX escape (write a literal '%' as %25)");
  // signer.py unquotes the whole path and then splits it at '/': `a%2Fb` is signed as two
  // segments `a/b` while one segment `a%2Fb` is sent (and the Go SDK cannot send it at all).
  if (/%2f/i.test(path)) refuse("contain %2F (an encoded '/') in its path: Huawei's signers sign it as '/', a different path from the one sent");
  // `%FF`: signer.py replaces the byte with U+FFFD (signs %EF%BF%BD, the same for every such byte),
  // the Go SDK keeps the byte (%FF).
  if (!hasUtf8Escapes(path) || !query.split(/[&=]/).every(hasUtf8Escapes)) {
    refuse("contain %-escapes that are not UTF-8 (such as %FF): Huawei's signers sign them differently");
  }
  // `a=b+c`: signer.py signs a plus (`a=b%2Bc`); the guide's Go signer (net/http's URL.Query()),
  // URLSearchParams and WSGI servers read a space. The published SDKs never send a raw '+'.
  if (query.includes('+')) {
    refuse("contain a literal '+' in its query, which some servers and signers read as a space and others as a plus: write %20 for a space or %2B for a plus");
  }
  // `?=x`: signer.py leaves it out of the signature (it would be sent unsigned); the Go SDK signs
  // `=x` but trims the `=` from the query it sends.
  if (/(^|&)=/.test(query)) {
    refuse("have a query parameter with an empty name (such as '?=x'): Huawei's signers leave it out of the signature or sign it differently");
  }
}

// Printable ASCII, inner spaces and tabs: the `Headers` class has already removed outer spaces and
// tabs. Other characters are trimmed differently by the signers (Python's strip() removes
// \x0b, \x0c, \x1c-\x1f, \x85 and \xa0; Go's TrimSpace all of them but \x1c-\x1f; JavaScript's
// trim() only \x0b, \x0c and \xa0), and non-ASCII ones are sent as Latin-1 bytes but signed as UTF-8.
const SIGNED_HEADER_VALUE_RE = /^[\t\x20-\x7e]*$/;

/** A request's headers as signing reads them, by lowercase name: a `Headers`, or any object alike. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

// Huawei's signers sort the signed names; these are in that order already.
const SIGNED_NAMES = ['content-type', 'host', 'x-project-id', 'x-sdk-date', 'x-security-token'];

// The last URL signed, checked, and its canonical path and query: polls sign one URL again and again.
let lastUrl: string | undefined;
let lastHost = '';
let lastPathAndQuery = '';

/**
 * The canonical request for `url` and `headers` (which must already carry `X-Sdk-Date`, and
 * `X-Security-Token` when used). The host is taken from the URL, as that is what the server sees.
 * Throws EcsInputError for a URL or a signed header value that Huawei's signers would not agree on.
 */
export function canonicalRequest(
  method: string,
  url: string | URL,
  headers: HeaderSource,
  bodySha256Hex: string,
  host?: string,
): { canonicalRequest: string; signedHeaders: string } {
  if (String(url) !== lastUrl) {
    const target = new URL(url);
    checkSignableUrl(target);
    // Kept only once all of it is known.
    lastPathAndQuery = `${canonicalUri(target.pathname)}\n${canonicalQueryString(target.searchParams)}`;
    lastHost = target.host;
    lastUrl = String(url);
  }
  let lines = '';
  let signedHeaders = '';
  for (const name of SIGNED_NAMES) {
    // A host (the URL's, or a checked signedHost) passes the check and the trim unchanged.
    const value = name === 'host' ? (host ?? lastHost) : headers.get(name);
    if (value === null || value === undefined) continue;
    if (!SIGNED_HEADER_VALUE_RE.test(value)) {
      throw new EcsInputError(`headers.${name}`, 'must contain only printable ASCII characters (and inner spaces or tabs) to be signed');
    }
    lines += `${name}:${value.trim()}\n`;
    signedHeaders += signedHeaders ? `;${name}` : name;
  }
  return {
    canonicalRequest: `${method.toUpperCase()}\n${lastPathAndQuery}\n${lines}\n${signedHeaders}\n${bodySha256Hex}`,
    signedHeaders,
  };
}

/**
 * The headers that sign a request, by lowercase name (`x-sdk-date`, `authorization`, and
 * `x-security-token` with temporary credentials): to be set on it, replacing any of the same name.
 */
export type SignatureHeaders = Record<string, string>;

/**
 * The signature of a request given as its parts: method, URL, its own headers (of which the
 * signature replaces `X-Sdk-Date`, and `X-Security-Token` when the credentials have one) and
 * `body`, the exact bytes that will be sent (a string is sent as UTF-8).
 */
export function signatureHeaders(
  method: string,
  url: string,
  headers: HeaderSource,
  body: Uint8Array | string | null,
  creds: AkSkCredentials,
  hmac: Hmac,
  date: Date,
  signedHost?: string,
): SignatureHeaders | Promise<SignatureHeaders> {
  const sdkDate = formatSdkDate(date);
  const token = creds.securityToken;
  const signature: SignatureHeaders = { 'x-sdk-date': sdkDate, ...(token !== undefined && { 'x-security-token': token }) };
  // With node:crypto every step answers at once, and so does this: no promise, no tick.
  return then(bodyHash(body), (hash) => {
    // The request's headers, with the signature's own in place of theirs.
    const canonical = canonicalRequest(method, url, { get: (name) => signature[name] ?? headers.get(name) }, hash, signedHost);
    return then(sha256Hex(canonical.canonicalRequest), (canonicalHash) =>
      then(hmac(`${ALGORITHM}\n${sdkDate}\n${canonicalHash}`), (value) => {
        signature.authorization = `${ALGORITHM} Access=${creds.ak}, SignedHeaders=${canonical.signedHeaders}, Signature=${value}`;
        return signature;
      }),
    );
  });
}

/** The request signed over `body`, the exact bytes that will be sent. */
export async function sign(
  request: Request,
  body: Uint8Array | null,
  creds: AkSkCredentials,
  hmac: Hmac,
  date: Date,
  signedHost?: string,
): Promise<Request> {
  const headers = await signatureHeaders(request.method, request.url, request.headers, body, creds, hmac, date, signedHost);
  // Re-created from the bytes already read: no stream hand-over (and no `duplex`) needed. Its
  // headers are the original's, copied inside the constructor (`init` is not empty, even with a
  // null body), and the signature's.
  const signed = new Request(request, { body });
  for (const [name, value] of Object.entries(headers)) signed.headers.set(name, value);
  return signed;
}
