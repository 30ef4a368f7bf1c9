import { EcsInputError } from '../errors/input-error.js';
import { hmacWith, setHeaders, sign, signatureHeaders, type AkSkCredentials, type HeaderGetter, type SignatureHeaders } from './signing.js';
import { checkCredential, makeAuth, type AuthContext, type EcsAuth } from './strategy.js';

export type { AkSkCredentials } from './signing.js';

export function checkCredentials(credentials: unknown): AkSkCredentials {
  if (typeof credentials !== 'object' || credentials === null) {
    throw new EcsInputError('auth', 'must be an object with ak and sk');
  }
  const { ak, sk, securityToken } = credentials as Record<string, unknown>;
  const checked: AkSkCredentials = { ak: checkCredential('auth.ak', ak), sk: checkCredential('auth.sk', sk) };
  if (securityToken !== undefined) checked.securityToken = checkCredential('auth.securityToken', securityToken);
  return checked;
}

export interface AkSkOptions {
  now?: () => Date;
  /**
   * The host to sign instead of the request URL's, for requests sent through a proxy (such as
   * Prism's validating proxy) that forwards them with `Host` rewritten to this host.
   */
  signedHost?: string;
}

/**
 * An akskAuth's signature for a request given as strings (`header` by lowercase name, `body` the
 * exact bytes that will be sent, a string as UTF-8): the headers its `authorize` would set, for a
 * call path that builds no Request. Synchronous where node:crypto is.
 */
export type AkSkSigner = (
  method: string,
  url: string,
  header: HeaderGetter,
  body: Uint8Array | string | null,
  context: Pick<AuthContext, 'registerSecret'>,
) => SignatureHeaders | Promise<SignatureHeaders>;

const signers = new WeakMap<EcsAuth, AkSkSigner>();

/** Internal: the signer behind an `akskAuth(...)`, `undefined` for any other auth. */
export const akskSignerOf = (auth: EcsAuth): AkSkSigner | undefined => signers.get(auth);

/** AK/SK request signing (`SDK-HMAC-SHA256`); with `securityToken` for temporary credentials. */
export function akskAuth(credentials: AkSkCredentials, options: AkSkOptions = {}): EcsAuth {
  const creds = checkCredentials(credentials);
  const now = options.now ?? (() => new Date());
  if (typeof now !== 'function') throw new EcsInputError('options.now', 'must be a function returning a Date');
  const signedHost = options.signedHost === undefined ? undefined : checkHost(options.signedHost);
  const hmac = hmacWith(creds.sk);
  const signature = (method: string, url: string, header: HeaderGetter, body: Uint8Array | string | null) =>
    signatureHeaders(method, url, header, body, creds, hmac, now(), signedHost);
  const auth = makeAuth('aksk', async (request, { registerSecret }) => {
    // Never sent, but a gateway that checks signatures holds it and may quote it.
    registerSecret(creds.sk);
    if (request.body !== null) {
      // The request is replaced by the signed one, so its body can be read rather than cloned.
      return sign(request, new Uint8Array(await request.arrayBuffer()), creds, hmac, now(), signedHost);
    }
    // No body: the same Request with its headers set (or, if they cannot be, a new one).
    const headers = await signature(request.method, request.url, (name) => request.headers.get(name), null);
    try {
      setHeaders(request.headers, headers);
      return request;
    } catch {
      const signed = new Request(request, { headers: request.headers });
      setHeaders(signed.headers, headers);
      return signed;
    }
  });
  signers.set(auth, (method, url, header, body, { registerSecret }) => {
    registerSecret(creds.sk);
    return signature(method, url, header, body);
  });
  return auth;
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

