import { akskAuth } from '../auth/aksk.js';
import type { EcsAuth } from '../auth/strategy.js';
import { tokenAuth } from '../auth/token.js';
import type { EcsClientOptions } from '../client-options.js';
import type { Redactor } from '../errors/redaction.js';
import { novaVersions, stopTypes, type NovaVersion, type StopType } from '../validate.js';
import { UsageError, type ParsedValues } from './args.js';
import { envNames } from './names.js';
import { targetsFrom, type Target } from './targets.js';

/** Which API stops: `auto` is Nova's action for one server and the batch for several. */
export type ApiChoice = 'auto' | 'batch' | 'nova';

export interface Settings {
  /** The servers to stop, by ID or name, in the order given. */
  targets: Target[];
  api: ApiChoice;
  /** --dry-run: resolve and read every server, stop none. */
  dryRun: boolean;
  type: StopType | undefined;
  /** With --wait: how long to wait for SHUTOFF. */
  waitTimeoutMs: number | undefined;
  okIfStopped: boolean;
  /**
   * Without `cloud`, everything the client needs. With it (--os-cloud or OS_CLOUD), the endpoint,
   * project and auth come from the cloud's clouds.yaml and its token's catalog instead.
   */
  client: Omit<EcsClientOptions, 'auth' | 'projectId' | 'endpoint' | 'region'> & Partial<EcsClientOptions>;
  cloud?: { name: string | undefined; novaVersionGiven: boolean; environment: NodeJS.ProcessEnv };
}

/**
 * Client option names (as in EcsInputError.field) to the flag or variable they came from;
 * settingsFrom adds where the project ID and the endpoint or region came from.
 */
export const inputSources = (): Record<string, string> => ({
  serverId: 'server-id',
  type: '--type',
  allowInsecureHttp: '--allow-insecure-http',
  novaVersion: '--nova-version',
  microversion: '--microversion',
  timeoutMs: '--timeout-ms',
  'auth.token': envNames.token,
  'auth.ak': envNames.ak,
  'auth.sk': envNames.sk,
  'auth.securityToken': envNames.securityToken,
});

const present = (value: string | undefined): value is string => value !== undefined && value !== '';

export function settingsFrom(
  values: ParsedValues,
  positionals: string[],
  environment: NodeJS.ProcessEnv,
  redactor: Redactor,
  sources: Record<string, string>,
): Settings {
  // What the command line says comes first, so that `ecs-stop` alone asks for the server ID.
  const targets = targetsFrom(positionals);
  const flags = flagsFrom(values, environment, sources);
  const cloud = cloudFrom(values, environment);
  const common = {
    targets,
    api: flags.api,
    dryRun: values['dry-run'] === true,
    type: flags.type,
    waitTimeoutMs: flags.waitTimeoutMs,
    okIfStopped: values['ok-if-stopped'] === true,
  };
  const options = {
    novaVersion: flags.novaVersion,
    ...(values.microversion !== undefined && { microversion: values.microversion }),
    ...(flags.timeoutMs !== undefined && { timeoutMs: flags.timeoutMs }),
    ...(values['allow-insecure-http'] === true && { allowInsecureHttp: true }),
  };
  if (cloud) {
    const novaVersionGiven = values['nova-version'] !== undefined || values['api-version'] !== undefined || present(environment[envNames.novaVersion]);
    return { ...common, client: options, cloud: { name: cloud.name, novaVersionGiven, environment } };
  }
  const auth = authFrom(environment, redactor);
  const projectId = projectIdFrom(values, environment, sources);
  const where = endpointFrom(values, environment, sources);
  return {
    ...common,
    client: {
      ...where,
      projectId,
      auth,
      novaVersion: flags.novaVersion,
      ...(values.microversion !== undefined && { microversion: values.microversion }),
      ...(flags.timeoutMs !== undefined && { timeoutMs: flags.timeoutMs }),
      ...(values['allow-insecure-http'] === true && { allowInsecureHttp: true }),
    },
  };
}

const apiChoices = ['batch', 'nova'] as const;

function flagsFrom(values: ParsedValues, environment: NodeJS.ProcessEnv, sources: Record<string, string>) {
  let type: StopType | undefined;
  if (values.type !== undefined) {
    const upper = values.type.toUpperCase();
    if (!(stopTypes as readonly string[]).includes(upper)) throw new UsageError('--type', '--type must be SOFT or HARD');
    type = upper as StopType;
  }
  if (values.api !== undefined && !(apiChoices as readonly string[]).includes(values.api)) {
    throw new UsageError('--api', '--api must be batch or nova');
  }
  const api = (values.api ?? 'auto') as ApiChoice;
  const novaVersion = novaVersionFrom(values, environment, sources);
  if (values.microversion !== undefined && novaVersion === 'v2') {
    throw new UsageError('--microversion', '--microversion is only taken by --nova-version v2.1');
  }
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : integerFlag('--timeout-ms', values['timeout-ms'], 2 ** 31 - 1);
  if (values.timeout !== undefined && !values.wait) throw new UsageError('--timeout', '--timeout needs --wait');
  const waitTimeoutMs = !values.wait ? undefined : 1000 * (values.timeout === undefined ? 600 : integerFlag('--timeout', values.timeout, 2_000_000));
  return { type, api, novaVersion, timeoutMs, waitTimeoutMs };
}

/** --nova-version, or --api-version (its former name), or ECS_API_VERSION. */
function novaVersionFrom(values: ParsedValues, environment: NodeJS.ProcessEnv, sources: Record<string, string>): NovaVersion {
  if (values['nova-version'] !== undefined && values['api-version'] !== undefined) {
    throw new UsageError('--api-version', '--api-version is the former name of --nova-version: give --nova-version only');
  }
  const fromEnvironment = values['nova-version'] === undefined && values['api-version'] === undefined && present(environment[envNames.novaVersion]);
  const source = fromEnvironment ? envNames.novaVersion : values['api-version'] === undefined ? '--nova-version' : '--api-version';
  sources.novaVersion = source;
  const value = values['nova-version'] ?? values['api-version'] ?? (fromEnvironment ? environment[envNames.novaVersion]! : 'v2.1');
  if (!(novaVersions as readonly string[]).includes(value)) throw new UsageError(source, `${source} must be v2 or v2.1`);
  return value as NovaVersion;
}

function integerFlag(flag: string, value: string, max: number): number {
  const number = /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= max)) throw new UsageError(flag, `${flag} must be an integer from 1 to ${max}`);
  return number;
}

/**
 * The OpenStack cloud to use, if any: --os-cloud (which no ECS credentials, endpoint or project
 * may come with), or OS_CLOUD when no ECS credentials are set (Huawei's variables win then).
 */
function cloudFrom(values: ParsedValues, environment: NodeJS.ProcessEnv): { name: string | undefined } | undefined {
  const ecsCredentials = [envNames.ak, envNames.sk, envNames.securityToken, envNames.token].filter((name) => present(environment[name]));
  if (values['os-cloud'] === undefined) {
    return present(environment[envNames.cloud]) && ecsCredentials.length === 0 ? { name: environment[envNames.cloud] } : undefined;
  }
  if (values['os-cloud'] === '') throw new UsageError('--os-cloud', '--os-cloud must name a cloud of clouds.yaml');
  if (ecsCredentials.length > 0) {
    throw new UsageError('--os-cloud', `--os-cloud takes its credentials from clouds.yaml: unset ${ecsCredentials.join(', ')}`);
  }
  for (const flag of ['endpoint', 'region', 'project-id'] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag}`, `--${flag} is not taken with --os-cloud: the endpoint and project come from the cloud's catalog`);
  }
  return { name: values['os-cloud'] };
}

/** Credentials: exactly one kind. */
function authFrom(environment: NodeJS.ProcessEnv, redactor: Redactor): EcsAuth {
  const ak = environment[envNames.ak];
  const sk = environment[envNames.sk];
  const securityToken = environment[envNames.securityToken];
  const token = environment[envNames.token];
  redactor.add(sk);
  redactor.add(securityToken);
  redactor.add(token);
  const hasAkSk = present(ak) || present(sk) || present(securityToken);
  const hasToken = present(token);
  if (hasAkSk && hasToken) {
    throw new UsageError(
      'credentials',
      `both ${envNames.token} and AK/SK (${envNames.ak}, ${envNames.sk}) are set: set one kind of credentials only`,
    );
  }
  if (hasToken) return tokenAuth(token);
  if (hasAkSk) {
    if (!present(ak)) throw new UsageError(envNames.ak, `${envNames.ak} is not set (AK/SK signing needs ${envNames.ak} and ${envNames.sk})`);
    if (!present(sk)) throw new UsageError(envNames.sk, `${envNames.sk} is not set (AK/SK signing needs ${envNames.ak} and ${envNames.sk})`);
    return akskAuth(present(securityToken) ? { ak, sk, securityToken } : { ak, sk });
  }
  throw new UsageError(
    'credentials',
    `no credentials: set ${envNames.ak} and ${envNames.sk} (and ${envNames.securityToken} for temporary ones), or ${envNames.token}`,
  );
}

/** Project ID: flag, then HUAWEICLOUD_SDK_PROJECT_ID or ECS_PROJECT_ID (which must agree when both are set). */
function projectIdFrom(values: ParsedValues, environment: NodeJS.ProcessEnv, sources: Record<string, string>): string {
  if (values['project-id'] !== undefined) {
    sources.projectId = '--project-id';
    return values['project-id'];
  }
  const sdk = environment[envNames.projectId];
  const ecs = environment[envNames.ecsProjectId];
  if (present(sdk) && present(ecs) && sdk !== ecs) {
    throw new UsageError(envNames.ecsProjectId, `${envNames.projectId} and ${envNames.ecsProjectId} name different projects: set one, or give --project-id`);
  }
  for (const name of [envNames.projectId, envNames.ecsProjectId]) {
    if (present(environment[name])) {
      sources.projectId = name;
      return environment[name] as string;
    }
  }
  throw new UsageError('project-id', `project-id is missing: give --project-id or set ${envNames.projectId} (or ${envNames.ecsProjectId})`);
}

/** Endpoint: flags, then ECS_ENDPOINT, then HUAWEICLOUD_SDK_REGION. */
function endpointFrom(
  values: ParsedValues,
  environment: NodeJS.ProcessEnv,
  sources: Record<string, string>,
): { endpoint: string } | { region: string } {
  if (values.endpoint !== undefined && values.region !== undefined) {
    throw new UsageError('--endpoint', 'give --endpoint or --region, not both');
  }
  if (values.endpoint !== undefined) {
    sources.endpoint = '--endpoint';
    return { endpoint: values.endpoint };
  }
  if (values.region !== undefined) {
    sources.region = '--region';
    return { region: values.region };
  }
  if (present(environment[envNames.endpoint])) {
    sources.endpoint = envNames.endpoint;
    return { endpoint: environment[envNames.endpoint] as string };
  }
  if (present(environment[envNames.region])) {
    sources.region = envNames.region;
    return { region: environment[envNames.region] as string };
  }
  throw new UsageError(
    'endpoint',
    `endpoint is missing: give --endpoint or --region, or set ${envNames.endpoint} or ${envNames.region}`,
  );
}
