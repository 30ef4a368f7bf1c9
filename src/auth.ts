/**
 * Credentials for the ECS client, as openapi-fetch middleware: an IAM token (`X-Auth-Token`) or
 * AK/SK request signing (`SDK-HMAC-SHA256`, Huawei's API signing guide). No Node-only import:
 * hashing uses node:crypto where the runtime offers it (Node, Deno, Bun) and Web Crypto
 * elsewhere, so the same code runs in browsers too. Secrets live in closures and never appear in
 * error messages, `JSON.stringify` or `util.inspect` output.
 */
import type { Middleware } from 'openapi-fetch';
import { EcsInputError } from './input-error.js';

export interface EcsAuth {
  readonly kind: 'token' | 'aksk';
  readonly middleware: Middleware;
}

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

type Hmac = (message: string) => string | Promise<string>;

function hmacWith(sk: string): Hmac {
  if (nodeCrypto) return (message) => nodeCrypto.createHmac('sha256', sk).update(message).digest('hex');
  let key: Promise<HmacKey> | undefined;
  return async (message) => {
    key ??= crypto.subtle.importKey('raw', encoder.encode(sk), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return hex(await crypto.subtle.sign('HMAC', await key, encoder.encode(message)));
  };
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  return nodeCrypto ? nodeCrypto.createHash('sha256').update(data).digest('hex') : hex(await crypto.subtle.digest('SHA-256', data));
}
// Visible ASCII only: anything else either breaks the header syntax or makes `Headers`
// throw an error whose message quotes the (secret) value.
const CREDENTIAL_RE = /^[\x21-\x7e]+$/;
const CREDENTIAL_PROBLEM = 'must be a non-empty string of visible ASCII characters (no spaces, line breaks or control characters)';

function checkCredential(field: string, value: unknown): string {
  if (typeof value !== 'string' || !CREDENTIAL_RE.test(value)) throw new EcsInputError(field, CREDENTIAL_PROBLEM);
  return value;
}

function checkCredentials(credentials: unknown): AkSkCredentials {
  if (typeof credentials !== 'object' || credentials === null) {
    throw new EcsInputError('auth', 'must be an object with ak and sk');
  }
  const { ak, sk, securityToken } = credentials as Record<string, unknown>;
  const checked: AkSkCredentials = { ak: checkCredential('auth.ak', ak), sk: checkCredential('auth.sk', sk) };
  if (securityToken !== undefined) checked.securityToken = checkCredential('auth.securityToken', securityToken);
  return checked;
}

function makeAuth(kind: EcsAuth['kind'], onRequest: NonNullable<Middleware['onRequest']>): EcsAuth {
  const summary = { kind };
  return Object.freeze({
    kind,
    middleware: Object.freeze({ onRequest }),
    toJSON: () => summary,
    toString: () => `[EcsAuth ${kind}]`,
    [Symbol.for('nodejs.util.inspect.custom')]: () => `EcsAuth { kind: '${kind}' }`,
  });
}

export function tokenAuth(token: string | (() => string | Promise<string>)): EcsAuth {
  if (typeof token === 'function') {
    return makeAuth('token', async ({ request }) => {
      // Called on every request so that a refreshing token provider works.
      const value = checkCredential('auth.token', await token());
      request.headers.set('X-Auth-Token', value);
      return request;
    });
  }
  const value = checkCredential('auth.token', token);
  return makeAuth('token', ({ request }) => {
    request.headers.set('X-Auth-Token', value);
    return request;
  });
}

export interface AkSkOptions {
  now?: () => Date;
  /**
   * The host to sign instead of the request URL's, for requests sent through a proxy (such as
   * Prism's validating proxy) that forwards them with `Host` rewritten to this host.
   */
  signedHost?: string;
}

export function akskAuth(credentials: AkSkCredentials, options: AkSkOptions = {}): EcsAuth {
  const creds = checkCredentials(credentials);
  const now = options.now ?? (() => new Date());
  if (typeof now !== 'function') throw new EcsInputError('options.now', 'must be a function returning a Date');
  const signedHost = options.signedHost === undefined ? undefined : checkHost(options.signedHost);
  const hmac = hmacWith(creds.sk);
  return makeAuth('aksk', async ({ request }) => {
    // The request is replaced by the signed one, so its body can be read rather than cloned.
    const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
    return sign(request, body, creds, hmac, now(), signedHost);
  });
}

function checkHost(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(value)) {
    throw new EcsInputError('options.signedHost', 'must be a host name with an optional port, such as ecs.cn-north-4.myhuaweicloud.com');
  }
  return value.toLowerCase();
}

export async function signRequest(request: Request, credentials: AkSkCredentials, date: Date): Promise<Request> {
  const creds = checkCredentials(credentials);
  const body = request.body === null ? null : new Uint8Array(await request.clone().arrayBuffer());
  return sign(request, body, creds, hmacWith(creds.sk), date);
}

export function formatSdkDate(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new EcsInputError('date', 'must be a valid Date');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new EcsInputError('date', 'must be between the years 0 and 9999');
  // 2019-11-15T03:36:55.000Z -> 20191115T033655Z
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** RFC 3986: everything but unreserved characters (`A-Za-z0-9-._~`) percent-encoded as UTF-8. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalUri(pathname: string): string {
  const uri = pathname
    .split('/')
    .map((segment) => {
      try {
        return rfc3986(decodeURIComponent(segment));
      } catch {
        return segment; // malformed %-escape: sign it as it is sent
      }
    })
    .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function canonicalQueryString(search: string | URLSearchParams): string {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  return [...params]
    .sort(([ka, va], [kb, vb]) => compare(ka, kb) || compare(va, vb))
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
}

/**
 * The canonical request for `url` and `headers` (which must already carry `X-Sdk-Date`, and
 * `X-Security-Token` when used). The host is taken from the URL, as that is what the server sees.
 */
export function canonicalRequest(
  method: string,
  url: string | URL,
  headers: Headers,
  bodySha256Hex: string,
  host?: string,
): { canonicalRequest: string; signedHeaders: string } {
  const target = new URL(url);
  const signed = new Map<string, string>([['host', host ?? target.host]]);
  for (const name of ['content-type', 'x-project-id', 'x-sdk-date', 'x-security-token']) {
    const value = headers.get(name);
    if (value !== null) signed.set(name, value.trim());
  }
  const names = [...signed.keys()].sort(compare);
  const signedHeaders = names.join(';');
  return {
    canonicalRequest: [
      method.toUpperCase(),
      canonicalUri(target.pathname),
      canonicalQueryString(target.searchParams),
      names.map((name) => `${name}:${signed.get(name)}\n`).join(''),
      signedHeaders,
      bodySha256Hex,
    ].join('\n'),
    signedHeaders,
  };
}

const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The request signed over `body`, the exact bytes that will be sent. */
async function sign(
  request: Request,
  body: Uint8Array | null,
  creds: AkSkCredentials,
  hmac: Hmac,
  date: Date,
  signedHost?: string,
): Promise<Request> {
  const sdkDate = formatSdkDate(date);
  const headers = new Headers(request.headers);
  headers.set('X-Sdk-Date', sdkDate);
  if (creds.securityToken !== undefined) headers.set('X-Security-Token', creds.securityToken);

  const bodyHash = await sha256Hex(body ?? new Uint8Array(0));
  const canonical = canonicalRequest(request.method, request.url, headers, bodyHash, signedHost);
  const canonicalHash = await sha256Hex(encoder.encode(canonical.canonicalRequest));
  const signature = await hmac(`${ALGORITHM}\n${sdkDate}\n${canonicalHash}`);
  headers.set('Authorization', `${ALGORITHM} Access=${creds.ak}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`);

  // Re-create from the bytes already read: no stream hand-over (and no `duplex`) needed.
  return new Request(request, body === null ? { headers } : { headers, body });
}
