import { EcsInputError } from '../errors/input-error.js';
import { hmacWith, sign, signatureHeaders, type AkSkCredentials } from './signing.js';
import { checkCredential, makeAuth, type EcsAuth } from './strategy.js';

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

/** AK/SK request signing (`SDK-HMAC-SHA256`); with `securityToken` for temporary credentials. */
export function akskAuth(credentials: AkSkCredentials, options: AkSkOptions = {}): EcsAuth {
  const creds = checkCredentials(credentials);
  const now = options.now ?? (() => new Date());
  if (typeof now !== 'function') throw new EcsInputError('options.now', 'must be a function returning a Date');
  const signedHost = options.signedHost === undefined ? undefined : checkHost(options.signedHost);
  const hmac = hmacWith(creds.sk);
  return makeAuth(
    'aksk',
    async (request, { registerSecret }) => {
      // Never sent, but a gateway that checks signatures holds it and may quote it.
      registerSecret(creds.sk);
      // The request is replaced by the signed one, so its body can be read rather than cloned.
      const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
      return sign(request, body, creds, hmac, now(), signedHost);
    },
    ({ method, url, headers, body }, { registerSecret }) => {
      registerSecret(creds.sk);
      return signatureHeaders(method, url, { get: (name) => headers[name] }, body, creds, hmac, now(), signedHost);
    },
  );
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

