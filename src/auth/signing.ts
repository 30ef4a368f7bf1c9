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
  createHmac(algorithm: 'sha256', key: unknown): Digest;
  createSecretKey?(key: string, encoding: 'utf8'): unknown;
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
  if (nodeCrypto) {
    // A key object spares each signature the conversion of the key.
    const key = nodeCrypto.createSecretKey?.(sk, 'utf8') ?? sk;
    return (message) => nodeCrypto.createHmac('sha256', key).update(message).digest('hex');
  }
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

/** `next` applied to `value` or, once it settles, to its promise: synchronous where node:crypto is. */
function then<T, U>(value: T | Promise<T>, next: (value: T) => U | Promise<U>): U | Promise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

function sha256Hex(data: Uint8Array | string): string | Promise<string> {
  if (nodeCrypto) return nodeCrypto.hash ? nodeCrypto.hash('sha256', data) : nodeCrypto.createHash('sha256').update(data).digest('hex');
  return crypto.subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : data).then(hex);
}

// A client sends the same few bodies again and again: the last one's hash is kept (a copy of it,
// up to 4 KiB, so that changing the caller's bytes later cannot change the hash).
let lastBody: Uint8Array | string | undefined;
let lastBodyHash = '';

function sameBody(a: Uint8Array | string, b: Uint8Array | string | undefined): boolean {
  if (typeof a === 'string' || typeof b === 'string' || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function bodySha256Hex(body: Uint8Array | string | null): string | Promise<string> {
  if (body === null || body.length === 0) return 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  if (sameBody(body, lastBody)) return lastBodyHash;
  return then(sha256Hex(body), (hash) => {
    if (body.length <= 4096) {
      lastBody = typeof body === 'string' ? body : body.slice();
      lastBodyHash = hash;
    }
    return hash;
  });
}

// The date of the last signature: all signatures within one second share it.
let lastSecond = Number.NaN;
let lastSdkDate = '';

export function formatSdkDate(date: Date): string {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(time)) throw new EcsInputError('date', 'must be a valid Date');
  const second = Math.floor(time / 1000);
  if (second === lastSecond) return lastSdkDate;
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new EcsInputError('date', 'must be between the years 0 and 9999');
  // 2019-11-15T03:36:55.000Z -> 20191115T033655Z
  const iso = date.toISOString();
  lastSdkDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  lastSecond = second;
  return lastSdkDate;
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
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  return [...params]
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
const URL_PROBLEMS = {
  // signer.py unquotes the whole path and then splits it at '/': `a%2Fb` is signed as two
  // segments `a/b` while one segment `a%2Fb` is sent (and the Go SDK cannot send it at all).
  encodedSlash: "must not contain %2F (an encoded '/') in its path: Huawei's signers sign it as '/', a different path from the one sent",
  // `%zz`, `%4`: signer.py signs `%25zz`, Go's URL parsing rejects it; it has no defined meaning.
  badEscape: "must not contain a '%' that does not start a %XX escape (write a literal '%' as %25)",
  // `%FF`: signer.py replaces the byte with U+FFFD (signs %EF%BF%BD, the same for every such byte),
  // the Go SDK keeps the byte (%FF).
  notUtf8: "must not contain %-escapes that are not UTF-8 (such as %FF): Huawei's signers sign them differently",
  // `a=b+c`: signer.py signs a plus (`a=b%2Bc`); the guide's Go signer (net/http's URL.Query()),
  // URLSearchParams and WSGI servers read a space. The published SDKs never send a raw '+'.
  plus: "must not contain a literal '+' in its query, which some servers and signers read as a space and others as a plus: write %20 for a space or %2B for a plus",
  // `?=x`: signer.py leaves it out of the signature (it would be sent unsigned); the Go SDK signs
  // `=x` but trims the `=` from the query it sends.
  emptyName: "must not have a query parameter with an empty name (such as '?=x'): Huawei's signers leave it out of the signature or sign it differently",
} as const;

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
  if (/%(?![0-9A-Fa-f]{2})/.test(path) || /%(?![0-9A-Fa-f]{2})/.test(query)) throw new EcsInputError('url', URL_PROBLEMS.badEscape);
  if (/%2f/i.test(path)) throw new EcsInputError('url', URL_PROBLEMS.encodedSlash);
  if (!hasUtf8Escapes(path) || !query.split(/[&=]/).every(hasUtf8Escapes)) throw new EcsInputError('url', URL_PROBLEMS.notUtf8);
  if (query.includes('+')) throw new EcsInputError('url', URL_PROBLEMS.plus);
  if (query.split('&').some((pair) => pair.startsWith('='))) throw new EcsInputError('url', URL_PROBLEMS.emptyName);
}

// Printable ASCII, inner spaces and tabs: the `Headers` class has already removed outer spaces and
// tabs. Other characters are trimmed differently by the signers (Python's strip() removes
// \x0b, \x0c, \x1c-\x1f, \x85 and \xa0; Go's TrimSpace all of them but \x1c-\x1f; JavaScript's
// trim() only \x0b, \x0c and \xa0), and non-ASCII ones are sent as Latin-1 bytes but signed as UTF-8.
const SIGNED_HEADER_VALUE_RE = /^[\t\x20-\x7e]*$/;

/** A request's header by its lowercase name: `null` or `undefined` when it has none. */
export type HeaderGetter = (name: string) => string | null | undefined;

// Huawei's signers sort the signed names; these are in that order already.
const SIGNED_NAMES = ['content-type', 'host', 'x-project-id', 'x-sdk-date', 'x-security-token'];

interface UrlParts {
  uri: string;
  query: string;
  host: string;
}

// The last URL signed, checked and canonicalised: polls and retries sign one URL again and again.
let lastUrl: string | undefined;
let lastParts: UrlParts | undefined;

function urlParts(url: string): UrlParts {
  if (url === lastUrl && lastParts) return lastParts;
  const target = new URL(url);
  checkSignableUrl(target);
  const parts = { uri: canonicalUri(target.pathname), query: canonicalQueryString(target.searchParams), host: target.host };
  lastUrl = url;
  return (lastParts = parts);
}

function canonicalOf(method: string, url: string, header: HeaderGetter, bodySha256Hex: string, host?: string): { canonicalRequest: string; signedHeaders: string } {
  const parts = urlParts(url);
  let lines = '';
  let signedHeaders = '';
  for (const name of SIGNED_NAMES) {
    let value = name === 'host' ? (host ?? parts.host) : header(name);
    if (value === null || value === undefined) continue;
    if (name !== 'host') {
      if (!SIGNED_HEADER_VALUE_RE.test(value)) {
        throw new EcsInputError(`headers.${name}`, 'must contain only printable ASCII characters (and inner spaces or tabs) to be signed');
      }
      value = value.trim();
    }
    lines += `${name}:${value}\n`;
    signedHeaders += signedHeaders ? `;${name}` : name;
  }
  return {
    canonicalRequest: `${method.toUpperCase()}\n${parts.uri}\n${parts.query}\n${lines}\n${signedHeaders}\n${bodySha256Hex}`,
    signedHeaders,
  };
}

/**
 * The canonical request for `url` and `headers` (which must already carry `X-Sdk-Date`, and
 * `X-Security-Token` when used). The host is taken from the URL, as that is what the server sees.
 * Throws EcsInputError for a URL or a signed header value that Huawei's signers would not agree on.
 */
export function canonicalRequest(
  method: string,
  url: string | URL,
  headers: Headers,
  bodySha256Hex: string,
  host?: string,
): { canonicalRequest: string; signedHeaders: string } {
  return canonicalOf(method, String(url), (name) => headers.get(name), bodySha256Hex, host);
}

/** The headers that sign a request: to be set on it, replacing any of the same name. */
export interface SignatureHeaders {
  'X-Sdk-Date': string;
  'X-Security-Token'?: string;
  Authorization: string;
}

/**
 * The signature headers of a request given as strings: its method, its URL, its own headers
 * (`header`) and `body`, the exact bytes that will be sent (a string is sent as UTF-8). Synchronous
 * where node:crypto is, a promise with Web Crypto.
 */
export function signatureHeaders(
  method: string,
  url: string,
  header: HeaderGetter,
  body: Uint8Array | string | null,
  creds: AkSkCredentials,
  hmac: Hmac,
  date: Date,
  signedHost?: string,
): SignatureHeaders | Promise<SignatureHeaders> {
  const sdkDate = formatSdkDate(date);
  const token = creds.securityToken;
  const signedHeader = (name: string) => (name === 'x-sdk-date' ? sdkDate : name === 'x-security-token' && token !== undefined ? token : header(name));
  return then(bodySha256Hex(body), (bodyHash) => {
    const canonical = canonicalOf(method, url, signedHeader, bodyHash, signedHost);
    return then(sha256Hex(canonical.canonicalRequest), (canonicalHash) =>
      then(hmac(`${ALGORITHM}\n${sdkDate}\n${canonicalHash}`), (signature) => {
        const headers: SignatureHeaders = {
          'X-Sdk-Date': sdkDate,
          Authorization: `${ALGORITHM} Access=${creds.ak}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`,
        };
        if (token !== undefined) headers['X-Security-Token'] = token;
        return headers;
      }),
    );
  });
}

/** `headers` set on `target`, replacing any of the same name. */
export function setHeaders(target: Headers, headers: SignatureHeaders): void {
  for (const [name, value] of Object.entries(headers)) target.set(name, value);
}

/** The request signed over `body`, the exact bytes that will be sent; `request` is left as it is. */
export async function sign(
  request: Request,
  body: Uint8Array | null,
  creds: AkSkCredentials,
  hmac: Hmac,
  date: Date,
  signedHost?: string,
): Promise<Request> {
  const signature = await signatureHeaders(request.method, request.url, (name) => request.headers.get(name), body, creds, hmac, date, signedHost);
  // Re-created from the bytes already read: no stream hand-over (and no `duplex`) needed. Its
  // headers are the original's, copied inside the constructor, with the signature's set on them.
  const signed = new Request(request, body === null ? { headers: request.headers } : { body });
  setHeaders(signed.headers, signature);
  return signed;
}
