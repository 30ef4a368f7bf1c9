import { EcsInputError } from './errors/input-error.js';
import { regions } from './regions.js';

// The spec's patterns (components/schemas); a unit test keeps them equal.
// Microversion also has maxLength 16 there (checked in checkMicroversion).
export const patterns = {
  ProjectId: /^[0-9a-fA-F]{32}$/,
  ServerId: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  Microversion: /^(latest|[1-9][0-9]*\.(0|[1-9][0-9]*))$/,
  JobId: /^[0-9a-fA-F]{32}$/,
} as const;

// The spec's ServerStatus enum (a unit test keeps them equal).
export const serverStatuses = [
  'ACTIVE', 'BUILD', 'DELETED', 'ERROR', 'HARD_REBOOT', 'MIGRATING', 'PASSWORD', 'PAUSED', 'REBOOT', 'REBUILD', 'RESCUE',
  'RESIZE', 'REVERT_RESIZE', 'SHELVED', 'SHELVED_OFFLOADED', 'SHUTOFF', 'SOFT_DELETED', 'SUSPENDED', 'UNKNOWN', 'VERIFY_RESIZE',
] as const;

// The spec's JobStatus enum (a unit test keeps them equal).
export const jobStatuses = ['SUCCESS', 'RUNNING', 'FAIL', 'INIT', 'PENDING_PAYMENT'] as const;

/** The most servers one batch action takes (the spec's BatchStopOptions.servers maxItems). */
export const maxBatchServers = 1000;

export const stopTypes = ['SOFT', 'HARD'] as const;
export type StopType = (typeof stopTypes)[number];
/** The Nova API versions in a Nova operation's path (Huawei's native ECS API is `/v1`). */
export const novaVersions = ['v2', 'v2.1'] as const;
export type NovaVersion = (typeof novaVersions)[number];

/**
 * An ID that becomes a path segment. The specific checks come first so the message says what
 * is wrong; the value itself is not echoed (it may hold control characters).
 */
export function checkId(field: string, value: unknown, pattern: RegExp, shape: string): string {
  if (typeof value !== 'string') throw new EcsInputError(field, `must be a string (${shape})`);
  if (value === '') throw new EcsInputError(field, 'must not be empty');
  if (value === '.' || value === '..') throw new EcsInputError(field, `must not be '.' or '..'`);
  if (/[/?#]/.test(value)) throw new EcsInputError(field, `must not contain '/', '?' or '#'`);
  if (/[\s\p{Cc}]/u.test(value)) throw new EcsInputError(field, 'must not contain whitespace or control characters');
  if (!pattern.test(value)) throw new EcsInputError(field, `must be ${shape}`);
  return value;
}

export const checkServerId = (value: unknown, field = 'serverId') =>
  checkId(field, value, patterns.ServerId, 'a UUID such as 4d8c3732-a248-40ed-bebc-539a6ffd25c0');

export const checkJobId = (value: unknown, field = 'jobId') =>
  checkId(field, value, patterns.JobId, 'a job ID of 32 hexadecimal characters');

/** 1 to `maxBatchServers` server IDs, each valid and listed once; `field` names the list in errors. */
export function checkServerIds(value: unknown, field = 'serverIds'): string[] {
  if (!Array.isArray(value)) throw new EcsInputError(field, 'must be an array of server IDs');
  if (value.length === 0) throw new EcsInputError(field, 'must not be empty');
  if (value.length > maxBatchServers) {
    throw new EcsInputError(field, `must list at most ${maxBatchServers} servers (got ${value.length}); send larger fleets as successive batches`);
  }
  // Compared in lower case: a UUID in capitals names the same server.
  const seen = new Map<string, number>();
  const ids: string[] = [];
  for (let index = 0; index < value.length; index++) {
    const id = checkServerId(value[index], `${field}[${index}]`);
    const first = seen.get(id.toLowerCase());
    if (first !== undefined) throw new EcsInputError(`${field}[${index}]`, `repeats ${field}[${first}]: list each server once`);
    seen.set(id.toLowerCase(), index);
    ids.push(id);
  }
  return ids;
}

export const checkProjectId = (value: unknown, field = 'projectId') =>
  checkId(field, value, patterns.ProjectId, 'a project ID of 32 hexadecimal characters');

export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new EcsInputError(field, `must be one of ${allowed.map((v) => `'${v}'`).join(', ')}`);
  }
  return value as T;
}

export function checkMicroversion(value: unknown, novaVersion: NovaVersion): string {
  if (novaVersion === 'v2') throw new EcsInputError('microversion', "is only taken by novaVersion 'v2.1'");
  if (typeof value !== 'string' || value.length > 16 || !patterns.Microversion.test(value)) {
    throw new EcsInputError('microversion', "must be 'MAJOR.MINOR' (such as '2.60') or 'latest'");
  }
  return value;
}

const loopbackHosts = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** The service's origin, without a trailing slash. */
export function checkEndpoint(value: unknown, allowInsecureHttp: boolean): string {
  if (typeof value !== 'string' || value === '') throw new EcsInputError('endpoint', 'must be a URL such as https://ecs.cn-north-4.myhuaweicloud.com');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EcsInputError('endpoint', 'must be a URL such as https://ecs.cn-north-4.myhuaweicloud.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EcsInputError('endpoint', 'must use https');
  if (url.protocol === 'http:' && !allowInsecureHttp && !loopbackHosts.test(url.hostname)) {
    throw new EcsInputError('endpoint', 'must use https (http is allowed for loopback, or with allowInsecureHttp: true)');
  }
  if (url.username || url.password) throw new EcsInputError('endpoint', 'must not contain user info');
  if (url.pathname !== '/' || url.search || url.hash || /[?#]/.test(value)) {
    throw new EcsInputError('endpoint', 'must be an origin only, with no path, query or fragment');
  }
  return url.origin;
}

export function regionEndpoint(region: unknown): string {
  if (typeof region !== 'string' || !/^[a-z]{2,}(-[a-z0-9]+)+$/.test(region)) {
    throw new EcsInputError('region', "must be a region ID such as 'cn-north-4'");
  }
  if (!(regions as readonly string[]).includes(region)) {
    // Not quoted: a value in the wrong place may be a pasted secret.
    throw new EcsInputError('region', `is not an ECS region of Huawei's SDKs (${regions.join(', ')}); give the endpoint instead`);
  }
  return `https://ecs.${region}.myhuaweicloud.com`;
}

export function checkHeaderValue(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || !/^[\x20-\x7e]+$/.test(value)) {
    throw new EcsInputError(field, 'must be a non-empty string of printable ASCII characters');
  }
  return value;
}

export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new EcsInputError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}
