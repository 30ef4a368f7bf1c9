/**
 * OpenStack's client configuration, as openstacksdk reads it: `clouds.yaml` (and `secure.yaml`
 * over it) found in `.`, `~/.config/openstack` and `/etc/openstack`, or named by
 * `OS_CLIENT_CONFIG_FILE` / `OS_CLIENT_SECURE_FILE`; the cloud named by the caller or `OS_CLOUD`
 * (the only one, if the file has one); without a file, the `OS_*` variables. Node only (files,
 * the environment); reached from `huaweicloud-ecs-stop/node` and the CLI.
 *
 * A cloud becomes a `keystoneAuth` and, once a token is fetched, the client's options: the compute
 * endpoint from the token's catalog (type `compute`, the cloud's interface and region) and the
 * token's project.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { keystoneAuth, type KeystoneAuth, type KeystoneAuthOptions } from './auth/keystone.js';
import type { EcsClientOptions } from './client-options.js';
import { EcsInputError } from './errors/input-error.js';
import type { Transport } from './transport/transport.js';
import { fetchTransport } from './transport/fetch-transport.js';
import { MAX_RESPONSE_BYTES, withAttempts } from './transport/attempts.js';
import { retryPolicy } from './transport/retry-policy.js';
import { plainRequest, webResponseOf } from './transport/web.js';
import type { NovaVersion } from './validate.js';

export interface CloudConfigOptions {
  /** The cloud's name in clouds.yaml; default `OS_CLOUD`, or the file's only cloud. */
  cloud?: string;
  /** Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where `./clouds.yaml` is looked for. Default `process.cwd()`. */
  cwd?: string;
  /** Default the user's home directory. */
  home?: string;
}

/** A cloud's settings, read and checked; no secret is shown by its renderings. */
export interface CloudSettings {
  /** The cloud's name, or `envvars` for the `OS_*` variables. */
  readonly cloud: string;
  /** The file it came from, if any. */
  readonly file: string | undefined;
  readonly auth: KeystoneAuth;
  readonly regionName: string | undefined;
  /** The catalog interface: `public` (default), `internal` or `admin`. */
  readonly interface: string;
}

const searchDirs = (cwd: string, home: string) => [cwd, join(home, '.config', 'openstack'), '/etc/openstack'];
const extensions = ['yaml', 'yml', 'json'];
const secretKeys = ['password', 'application_credential_secret', 'token'];

/** Reads and checks a cloud's settings (no network). Throws EcsInputError naming the file and key, never a value. */
export function loadCloud(options: CloudConfigOptions = {}): CloudSettings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = options.home ?? homedir();
  const name = options.cloud ?? (env.OS_CLOUD || undefined);
  const file = env.OS_CLIENT_CONFIG_FILE ? resolve(cwd, env.OS_CLIENT_CONFIG_FILE) : find('clouds', cwd, home);
  if (env.OS_CLIENT_CONFIG_FILE && !exists(file!)) throw new EcsInputError('OS_CLIENT_CONFIG_FILE', `names ${file}, which does not exist`);
  if (file === undefined) {
    if (name !== undefined) throw new EcsInputError('OS_CLOUD', `names the cloud '${printable(name)}', but no clouds.yaml was found (in ${searchDirs(cwd, home).join(', ')})`);
    return settingsOf('envvars', undefined, fromEnvironment(env));
  }
  const clouds = cloudsIn(file);
  const chosen = name ?? (Object.keys(clouds).length === 1 ? Object.keys(clouds)[0]! : undefined);
  if (chosen === undefined) {
    throw new EcsInputError('OS_CLOUD', `must name one of the clouds in ${file} (${Object.keys(clouds).map(printable).join(', ')})`);
  }
  const cloud = clouds[chosen];
  if (!isObject(cloud)) throw new EcsInputError('OS_CLOUD', `names '${printable(chosen)}', which ${file} does not have (it has ${Object.keys(clouds).map(printable).join(', ')})`);
  checkNotWorldReadable(file, cloud, chosen);
  const secureFile = env.OS_CLIENT_SECURE_FILE ? resolve(cwd, env.OS_CLIENT_SECURE_FILE) : find('secure', cwd, home);
  let merged = cloud;
  if (secureFile !== undefined && exists(secureFile)) {
    const secure = cloudsIn(secureFile)[chosen];
    if (secure !== undefined) {
      if (!isObject(secure)) throw new EcsInputError(`${secureFile}: clouds.${chosen}`, 'must be a mapping');
      checkNotWorldReadable(secureFile, secure, chosen);
      merged = deepMerge(cloud, secure);
    }
  }
  return settingsOf(chosen, file, merged);
}

/**
 * The client's options for a cloud: its auth, and, from the token it fetches now (through
 * `transport`, default the global fetch), the compute endpoint of its catalog and its project.
 */
export async function connectCloud(
  settings: CloudSettings,
  { transport, signal, timeoutMs = 30_000 }: { transport?: Transport; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<EcsClientOptions & { auth: KeystoneAuth }> {
  const send = withAttempts({ transport: transport ?? fetchTransport(), timeoutMs, retry: retryPolicy(undefined), maxResponseBytes: MAX_RESPONSE_BYTES });
  const session = await settings.auth.session({
    signal: signal ?? new AbortController().signal,
    fetch: async (request) => webResponseOf(await send(await plainRequest(request), request.signal)),
  });
  const where = `the catalog of ${settings.cloud}${settings.file ? ` (${settings.file})` : ''}`;
  const compute = session.catalog.find((service) => service.type === 'compute');
  const endpoints = (compute?.endpoints ?? []).filter(
    (e) => e.interface === settings.interface && (settings.regionName === undefined || (e.region_id ?? e.region) === settings.regionName),
  );
  if (endpoints.length === 0) {
    throw new EcsInputError('region_name', `matches no ${settings.interface} compute endpoint in ${where}${settings.regionName ? ` for region ${settings.regionName}` : ''}`);
  }
  if (endpoints.length > 1) throw new EcsInputError('region_name', `must be given: ${where} has a ${settings.interface} compute endpoint in several regions`);
  const url = new URL(endpoints[0]!.url);
  const match = /^\/(v2|v2\.1)(?:\/([^/]+))?\/?$/.exec(url.pathname);
  if (!match) throw new EcsInputError('catalog', `the compute endpoint of ${where} has a path this client cannot use (it takes a host, then /v2.1 or /v2)`);
  const projectId = match[2] ?? session.projectId;
  if (projectId === undefined) throw new EcsInputError('catalog', `neither the compute endpoint nor the token of ${settings.cloud} gives a project ID`);
  return { endpoint: url.origin, projectId, novaVersion: match[1] as NovaVersion, auth: settings.auth };
}

/** `loadCloud` then `connectCloud`: `createEcsClient(await fromCloudsYaml('mycloud'))`. */
export async function fromCloudsYaml(cloud?: string, options: Omit<CloudConfigOptions, 'cloud'> & { transport?: Transport; signal?: AbortSignal } = {}) {
  const { transport, signal, ...where } = options;
  return connectCloud(loadCloud({ ...where, ...(cloud !== undefined && { cloud }) }), { ...(transport && { transport }), ...(signal && { signal }) });
}

function settingsOf(cloud: string, file: string | undefined, config: Record<string, unknown>): CloudSettings {
  const at = (key: string) => (file ? `${file}: clouds.${cloud}.${key}` : key);
  const authType = config.auth_type ?? 'password';
  if (authType !== 'password' && authType !== 'v3password' && authType !== 'v3applicationcredential' && authType !== 'v3totp') {
    throw new EcsInputError(at('auth_type'), 'must be password, v3password, v3totp or v3applicationcredential');
  }
  const auth = config.auth;
  if (!isObject(auth)) throw new EcsInputError(at('auth'), 'must be a mapping with auth_url and credentials');
  const text = (key: string): string | undefined => {
    const value = auth[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') throw new EcsInputError(at(`auth.${key}`), 'must be a string');
    return String(value);
  };
  if (text('auth_url') === undefined) throw new EcsInputError(at('auth.auth_url'), 'must be given');
  // keystoneauth takes an auth_url without its version and adds /v3.
  const authUrl = text('auth_url')!.replace(/\/+$/, '');
  const options: KeystoneAuthOptions = {
    authUrl: /\/v3$/.test(authUrl) ? authUrl : `${authUrl}/v3`,
    ...optional('username', text('username')),
    ...optional('userId', text('user_id')),
    ...optional('userDomainName', text('user_domain_name') ?? text('domain_name')),
    ...optional('userDomainId', text('user_domain_id') ?? text('domain_id')),
    ...optional('projectId', text('project_id')),
    ...optional('projectName', text('project_name')),
    ...optional('projectDomainName', text('project_domain_name')),
    ...optional('projectDomainId', text('project_domain_id')),
  };
  if (authType === 'v3applicationcredential') {
    Object.assign(options, optional('applicationCredentialId', text('application_credential_id')), optional('applicationCredentialName', text('application_credential_name')));
    Object.assign(options, optional('applicationCredentialSecret', text('application_credential_secret')));
    delete options.projectId;
    delete options.projectName;
    delete options.projectDomainName;
    delete options.projectDomainId;
  } else {
    Object.assign(options, optional('password', text('password')));
    if (authType === 'v3totp' || text('passcode') !== undefined) Object.assign(options, optional('totp', text('passcode')));
  }
  let keystone: KeystoneAuth;
  try {
    keystone = keystoneAuth(options);
  } catch (thrown) {
    // keystoneAuth refuses options with EcsInputError only; its field, auth.userDomainName, becomes clouds.NAME.auth.user_domain_name.
    const error = thrown as EcsInputError;
    const key = error.field.replace(/^auth\./, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/^totp$/, 'passcode');
    throw new EcsInputError(at(`auth.${key}`), error.message.slice(error.field.length + 1));
  }
  const interfaceName = config.interface ?? 'public';
  if (interfaceName !== 'public' && interfaceName !== 'internal' && interfaceName !== 'admin') throw new EcsInputError(at('interface'), 'must be public, internal or admin');
  const region = config.region_name;
  if (region !== undefined && (typeof region !== 'string' || region === '')) throw new EcsInputError(at('region_name'), 'must be a string');
  return Object.freeze({ cloud, file, auth: keystone, regionName: region as string | undefined, interface: interfaceName });
}

/** A cloud from the OS_* variables (openstacksdk's `envvars` cloud). */
function fromEnvironment(env: Record<string, string | undefined>): Record<string, unknown> {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const auth: Record<string, string | undefined> = {
    auth_url: value('OS_AUTH_URL'),
    username: value('OS_USERNAME'),
    user_id: value('OS_USER_ID'),
    password: value('OS_PASSWORD'),
    passcode: value('OS_PASSCODE'),
    user_domain_name: value('OS_USER_DOMAIN_NAME'),
    user_domain_id: value('OS_USER_DOMAIN_ID'),
    project_name: value('OS_PROJECT_NAME') ?? value('OS_TENANT_NAME'),
    project_id: value('OS_PROJECT_ID') ?? value('OS_TENANT_ID'),
    project_domain_name: value('OS_PROJECT_DOMAIN_NAME'),
    project_domain_id: value('OS_PROJECT_DOMAIN_ID'),
    application_credential_id: value('OS_APPLICATION_CREDENTIAL_ID'),
    application_credential_name: value('OS_APPLICATION_CREDENTIAL_NAME'),
    application_credential_secret: value('OS_APPLICATION_CREDENTIAL_SECRET'),
  };
  if (auth.auth_url === undefined) throw new EcsInputError('OS_AUTH_URL', 'must be set (or OS_CLOUD with a clouds.yaml)');
  return {
    auth,
    auth_type: value('OS_AUTH_TYPE') ?? (auth.application_credential_id || auth.application_credential_name ? 'v3applicationcredential' : 'password'),
    ...(value('OS_REGION_NAME') !== undefined && { region_name: value('OS_REGION_NAME') }),
    ...(value('OS_INTERFACE') !== undefined && { interface: value('OS_INTERFACE') }),
  };
}

function find(base: string, cwd: string, home: string): string | undefined {
  for (const dir of searchDirs(cwd, home)) {
    for (const extension of extensions) {
      const path = join(dir, `${base}.${extension}`);
      if (exists(path)) return path;
    }
  }
  return undefined;
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The `clouds` mapping of a clouds.yaml or secure.yaml; its text is never quoted in an error (it holds secrets). */
function cloudsIn(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EcsInputError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    const position = (error as { linePos?: [{ line: number; col: number }] }).linePos?.[0];
    throw new EcsInputError(file, `is not valid YAML${position ? ` (line ${position.line}, column ${position.col})` : ''}`);
  }
  if (!isObject(document) || !isObject(document.clouds)) throw new EcsInputError(file, 'must have a mapping named clouds');
  return document.clouds;
}

/** A secret in a file others can read is refused: the key is named, the value never. */
function checkNotWorldReadable(file: string, cloud: Record<string, unknown>, name: string): void {
  const auth = isObject(cloud.auth) ? cloud.auth : {};
  const secret = secretKeys.find((key) => auth[key] !== undefined && auth[key] !== '');
  if (secret === undefined) return;
  if ((statSync(file).mode & 0o004) !== 0) {
    throw new EcsInputError(`${file}: clouds.${name}.auth.${secret}`, `is a secret in a file every user can read: chmod o-r ${file}, or move it to secure.yaml`);
  }
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = isObject(value) && isObject(base[key]) ? deepMerge(base[key], value) : value;
  return merged;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const optional = <K extends string>(key: K, value: string | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, string>));
/** A name from a file or the environment, safe to show: control characters escaped, at most 64 characters. */
const printable = (name: string) => JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name).slice(1, -1);

