/**
 * Tokens from Keystone v3 (`POST {authUrl}/auth/tokens`): Huawei IAM, Open Telekom Cloud,
 * FlexibleEngine and any OpenStack cloud. A password (optionally with a TOTP passcode, Huawei's
 * MFA) or an application credential (Keystone) is exchanged for a token through the client's own
 * transport; the token is cached, fetched again before it expires and after a 401, one fetch
 * shared by every call that needs it. The password, the secret, the passcode and every token are
 * registered as secrets: no error or output shows them.
 */
import { errorFromFailure, errorFromResponse, errorFromUnexpectedBody } from '../errors/api-error.js';
import { EcsInputError } from '../errors/input-error.js';
import { Redactor } from '../errors/redaction.js';
import type { TransportRequest } from '../http.js';
import type { Region } from '../regions.js';
import { regionEndpoint } from '../validate.js';
import { checkCredential, makeAuth, type AuthContext, type EcsAuth } from './strategy.js';

export interface KeystoneAuthOptions {
  /** The identity endpoint with its version, such as `https://iam.cn-north-4.myhuaweicloud.com/v3`. Give this or `region`. */
  authUrl?: string;
  /** A Huawei Cloud region (`cn-north-4`), for its IAM endpoint `https://iam.{region}.myhuaweicloud.com/v3`. */
  region?: Region | (string & {});
  /** A user by name (with `userDomainName` or `userDomainId`; on Huawei, the account name) or by `userId`. */
  username?: string;
  userId?: string;
  userDomainName?: string;
  userDomainId?: string;
  password?: string;
  /** Huawei's MFA: the current TOTP passcode, or a function that gives it when a token is fetched. */
  totp?: string | (() => string | Promise<string>);
  /** An application credential (Keystone): its ID, or its name with the user; and its secret. */
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  /**
   * The project the token is scoped to, by ID or by name. The project's domain is sent only when
   * given: Huawei's region-named projects (`cn-north-4`) have none.
   */
  projectId?: string;
  projectName?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  /** A token is fetched again this long before it expires (or at half its life, if that comes first). Default 60 s. */
  refreshMarginMs?: number;
  /** The clock, in milliseconds. */
  now?: () => number;
}

/** What a token response said, kept with the token. */
export interface KeystoneToken {
  readonly expiresAt: number;
  readonly issuedAt: number;
  readonly projectId: string | undefined;
  /** The service catalog: where each service's endpoints are. */
  readonly catalog: readonly KeystoneService[];
}

export interface KeystoneService {
  readonly type: string;
  readonly name?: string;
  readonly endpoints: readonly { readonly interface: string; readonly region_id?: string; readonly region?: string; readonly url: string }[];
}

export interface KeystoneAuth extends EcsAuth {
  /** The token in use (fetching one if there is none, or it is due): its expiry, project and catalog, never the token itself. */
  session(context: Pick<AuthContext, 'fetch' | 'signal'>): Promise<KeystoneToken>;
}

export function keystoneAuth(options: KeystoneAuthOptions): KeystoneAuth {
  const checked = checkOptions(options);
  const { tokensUrl, now, refreshMarginMs } = checked;
  // What this auth must never show: given to every call it serves, and to its own errors.
  const secrets = new Redactor();
  const known: string[] = [];
  const hide = (secret: string | undefined) => {
    if (secret === undefined) return;
    secrets.add(secret);
    known.push(secret);
  };
  for (const secret of [options.password, options.applicationCredentialSecret, typeof options.totp === 'string' ? options.totp : undefined]) hide(secret);

  type Entry = { value: string; token: KeystoneToken; fetchedAt: number };
  let current: Entry | undefined;
  let pending: Promise<Entry> | undefined;

  // Judged on this machine's clock: the token's life (the server's expires_at - issued_at) from when it was fetched.
  const due = (entry: Entry) => {
    const life = Math.max(0, entry.token.expiresAt - entry.token.issuedAt);
    return now() >= entry.fetchedAt + life - Math.min(refreshMarginMs, life / 2);
  };

  async function fetchToken(context: Pick<AuthContext, 'fetch' | 'signal'>): Promise<Entry> {
    const body = JSON.stringify(await requestBody(options, hide));
    const summary = { method: 'POST', url: tokensUrl };
    let response: Response;
    try {
      response = await context.fetch(
        new Request(tokensUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body, signal: context.signal }),
      );
    } catch (error) {
      // No answer from the identity service: a network error naming it (an abort or a timeout is the call's).
      if (context.signal.aborted) throw error;
      throw errorFromFailure(error, summary, secrets);
    }
    const text = await response.text();
    if (response.status !== 201 && response.status !== 200) throw errorFromResponse(response, text, summary, secrets);
    const value = response.headers.get('x-subject-token');
    // Hidden in this auth's own errors; each call registers the token it sends (tokenFor).
    if (value) secrets.add(value);
    const token = value ? parseToken(text) : undefined;
    if (!value || !token || !/^[\x21-\x7e]+$/.test(value)) {
      throw errorFromUnexpectedBody(response, 'token request', 'a token (X-Subject-Token and token.expires_at)', summary, secrets);
    }
    return { value, token, fetchedAt: now() };
  }

  /** The token in use: the cached one while it is not due, else one fetched (once, whoever asks meanwhile). */
  function entryFor(context: Pick<AuthContext, 'fetch' | 'signal'>): Entry | Promise<Entry> {
    if (current && !due(current)) return current;
    return (pending ??= fetchToken(context)
      .then((entry) => (current = entry))
      .finally(() => (pending = undefined)));
  }

  /** The token to send, with every secret of this auth registered for the call. */
  function tokenFor(context: AuthContext): string | Promise<string> {
    for (const secret of known) context.registerSecret(secret);
    const send = (entry: Entry) => {
      context.registerSecret(entry.value);
      return entry.value;
    };
    const entry = entryFor(context);
    return entry instanceof Promise ? entry.then(send) : send(entry);
  }

  const auth = makeAuth(
    'keystone',
    async (request, context) => {
      request.headers.set('X-Auth-Token', await tokenFor(context));
      return request;
    },
    (_request, context) => {
      const token = tokenFor(context);
      return typeof token === 'string' ? { 'x-auth-token': token } : token.then((value) => ({ 'x-auth-token': value }));
    },
  );
  return Object.freeze({
    ...auth,
    // makeAuth's renderers are kept: the spread copies them, and the token never is a property.
    onUnauthorized(_context: AuthContext, sent: TransportRequest) {
      // Dropped only if it is still the token that failed: concurrent calls share one refresh.
      if (current && sent.headers['x-auth-token'] === current.value) current = undefined;
      return true;
    },
    async session(context: Pick<AuthContext, 'fetch' | 'signal'>) {
      return (await entryFor(context)).token;
    },
  }) as KeystoneAuth;
}

interface CheckedOptions {
  tokensUrl: string;
  now: () => number;
  refreshMarginMs: number;
}

function checkOptions(options: KeystoneAuthOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null) throw new EcsInputError('auth', 'must be an object with authUrl and credentials');
  if ((options.authUrl === undefined) === (options.region === undefined)) throw new EcsInputError('auth.authUrl', 'or region must be given, not both');
  const authUrl = options.authUrl !== undefined ? checkAuthUrl(options.authUrl) : iamUrl(options.region);
  const optional = (field: keyof KeystoneAuthOptions) => {
    const value = options[field];
    if (value !== undefined && (typeof value !== 'string' || value === '' || /\p{Cc}/u.test(value))) {
      throw new EcsInputError(`auth.${field}`, 'must be a non-empty string without control characters');
    }
  };
  for (const field of ['username', 'userId', 'userDomainName', 'userDomainId', 'applicationCredentialId', 'applicationCredentialName', 'projectId', 'projectName', 'projectDomainName', 'projectDomainId'] as const) optional(field);
  const byAppCredential = options.applicationCredentialId !== undefined || options.applicationCredentialName !== undefined;
  if (byAppCredential) {
    checkCredential('auth.applicationCredentialSecret', options.applicationCredentialSecret);
    if (options.password !== undefined) throw new EcsInputError('auth.password', 'must not be given with an application credential');
    if (options.projectId !== undefined || options.projectName !== undefined) {
      throw new EcsInputError('auth.projectId', 'must not be given with an application credential (its project is its own)');
    }
    if (options.applicationCredentialId === undefined) checkUser(options);
  } else {
    if (options.password === undefined) throw new EcsInputError('auth.password', 'or an application credential must be given');
    checkCredential('auth.password', options.password);
    checkUser(options);
    if ((options.projectId === undefined) === (options.projectName === undefined)) {
      throw new EcsInputError('auth.projectId', 'or projectName must be given, not both');
    }
  }
  if (options.totp !== undefined) {
    if (typeof options.totp === 'string') checkPasscode(options.totp);
    else if (typeof options.totp !== 'function') throw new EcsInputError('auth.totp', 'must be a passcode or a function giving one');
  }
  const refreshMarginMs = options.refreshMarginMs ?? 60_000;
  if (!Number.isInteger(refreshMarginMs) || refreshMarginMs < 0) throw new EcsInputError('auth.refreshMarginMs', 'must be an integer of 0 or more');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new EcsInputError('auth.now', 'must be a function returning milliseconds');
  return { tokensUrl: `${authUrl}/auth/tokens`, now, refreshMarginMs };
}

function checkUser(options: KeystoneAuthOptions): void {
  if ((options.username === undefined) === (options.userId === undefined)) throw new EcsInputError('auth.username', 'or userId must be given, not both');
  if (options.username !== undefined && options.userDomainName === undefined && options.userDomainId === undefined) {
    throw new EcsInputError('auth.userDomainName', "or userDomainId must be given with username (on Huawei, the account's name)");
  }
}

function checkPasscode(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{6,8}$/.test(value)) throw new EcsInputError('auth.totp', 'must be a passcode of 6 to 8 digits');
  return value;
}

/** Huawei IAM's endpoint for a region of the ECS region table, as for ECS's own endpoint. */
function iamUrl(region: unknown): string {
  try {
    return `${regionEndpoint(region).replace('://ecs.', '://iam.')}/v3`;
  } catch (error) {
    if (error instanceof EcsInputError) throw new EcsInputError('auth.region', error.message.slice(error.field.length + 1));
    throw error;
  }
}

/** An https URL (http only to loopback), without query or fragment; its trailing `/` dropped. */
function checkAuthUrl(value: unknown): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new EcsInputError('auth.authUrl', 'must be an absolute URL such as https://iam.cn-north-4.myhuaweicloud.com/v3');
  }
  if (typeof value !== 'string' || url.username || url.password || url.search || url.hash) {
    throw new EcsInputError('auth.authUrl', 'must be a URL without user info, query or fragment');
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new EcsInputError('auth.authUrl', 'must be https:// (http:// only on loopback): a password must not cross the network in clear');
  }
  return url.href.replace(/\/+$/, '');
}

async function requestBody(options: KeystoneAuthOptions, hide: (secret: string) => void): Promise<unknown> {
  const user = {
    ...(options.userId !== undefined ? { id: options.userId } : { name: options.username }),
    ...(options.username !== undefined && {
      domain: options.userDomainId !== undefined ? { id: options.userDomainId } : { name: options.userDomainName },
    }),
  };
  if (options.applicationCredentialId !== undefined || options.applicationCredentialName !== undefined) {
    const credential =
      options.applicationCredentialId !== undefined
        ? { id: options.applicationCredentialId, secret: options.applicationCredentialSecret }
        : { name: options.applicationCredentialName, user, secret: options.applicationCredentialSecret };
    return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
  }
  const identity: Record<string, unknown> = { methods: ['password'], password: { user: { ...user, password: options.password } } };
  if (options.totp !== undefined) {
    const passcode = checkPasscode(typeof options.totp === 'string' ? options.totp : await options.totp());
    hide(passcode);
    identity.methods = ['password', 'totp'];
    identity.totp = { user: { ...user, passcode } };
  }
  const domain =
    options.projectDomainId !== undefined ? { domain: { id: options.projectDomainId } } : options.projectDomainName !== undefined ? { domain: { name: options.projectDomainName } } : {};
  const project = options.projectId !== undefined ? { id: options.projectId, ...domain } : { name: options.projectName, ...domain };
  return { auth: { identity, scope: { project } } };
}

function parseToken(text: string): KeystoneToken | undefined {
  try {
    const token = (JSON.parse(text) as { token?: Record<string, unknown> }).token;
    const expiresAt = Date.parse(String(token?.expires_at));
    if (!token || Number.isNaN(expiresAt)) return undefined;
    // Without issued_at, the life is taken as the time left now (Date.now: the server's clock is unknown).
    const issuedAt = Date.parse(String(token.issued_at));
    const project = token.project as { id?: unknown } | undefined;
    return {
      expiresAt,
      issuedAt: Number.isNaN(issuedAt) ? Math.min(expiresAt, Date.now()) : issuedAt,
      projectId: typeof project?.id === 'string' ? project.id : undefined,
      catalog: Array.isArray(token.catalog) ? (token.catalog as KeystoneService[]) : [],
    };
  } catch {
    return undefined;
  }
}
