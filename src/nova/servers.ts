/**
 * The Nova servers family (`/v2` and `/v2.1`): stop a server (`os-stop`) and read one. Which Nova
 * version's path is used is the client's `novaVersion`.
 */
import { checkRequestOptions, type ClientCore, type RequestOptions } from '../call.js';
import { EcsApiError, errorFromResponse, errorFromUnexpectedBody } from '../errors/api-error.js';
import { requestIdOf } from '../http.js';
import type { components } from '../../generated/openapi.js';
import { EcsInputError } from '../errors/input-error.js';
import { checkOneOf, checkServerId, serverStatuses, stopTypes, type StopType } from '../validate.js';
import { checkWaitOptions, waitForShutoff, type Server, type WaitOptions } from './server-wait.js';

export interface StopServerOptions extends RequestOptions {
  /** `SOFT` (default, graceful) or `HARD` (power off). */
  type?: StopType;
  /** Read the server until it is SHUTOFF; fail on ERROR, on a 404 and on timeout (EcsWaitError). */
  wait?: boolean | WaitOptions;
  /** `'ok'`: a 409 saying the server is already stopped counts as success (idempotent automation). */
  ifAlreadyStopped?: 'ok' | 'error';
}

export interface StopServerResult {
  /** 202 (Nova) or 204 (Huawei's bare-metal variant); 409 when `ifAlreadyStopped: 'ok'` applied. */
  status: 202 | 204 | 409;
  requestId: string | undefined;
  /** The server was already stopped, and `ifAlreadyStopped: 'ok'` made that a success. */
  alreadyStopped: boolean;
  /** With `wait`, the server as last read: SHUTOFF. */
  server?: Server;
}

export type ServerSummary = components['schemas']['ServerSummary'];

export interface ListServersOptions extends RequestOptions {
  /** A regular expression the names must match (Nova's `name` filter); see `findServersByName` for one exact name. */
  name?: string;
  /** Only servers with this status. */
  status?: Server['status'];
}

export interface NovaServers {
  /** Asks the server to stop; resolves once the request is accepted, or with `wait`, once it is SHUTOFF. */
  stopServer(serverId: string, options?: StopServerOptions): Promise<StopServerResult>;
  /** Reads a server (Huawei's NovaShowServer). */
  getServer(serverId: string, options?: RequestOptions): Promise<Server>;
  /** Lists servers without details (Huawei's NovaListServers), filtered by name pattern or status. */
  listServers(options?: ListServersOptions): Promise<ServerSummary[]>;
  /**
   * The servers named exactly `name` (names are not unique: none, one or several). Asks Nova with
   * the name anchored and escaped as a regular expression, and keeps exact matches only.
   */
  findServersByName(name: string, options?: RequestOptions): Promise<ServerSummary[]>;
}

export function novaServers({ config, raw, perform }: ClientCore): NovaServers {
  const version = config.novaVersion;
  // Both versions' operations take the same parameters and give the same answers.
  const listPath = `/${version}/{project_id}/servers` as '/v2.1/{project_id}/servers';

  // The stop's body in each of its forms, serialised once.
  const stopBodies = { default: '{"os-stop":{}}', SOFT: '{"os-stop":{"type":"SOFT"}}', HARD: '{"os-stop":{"type":"HARD"}}' };

  async function requestStop(server_id: string, options: StopServerOptions): Promise<StopServerResult> {
    const body = stopBodies[options.type === undefined ? 'default' : checkOneOf('type', options.type, stopTypes)];
    const path = `/${version}/${config.projectId}/servers/${server_id}/action`;
    const summary = { method: 'POST', url: `${config.endpoint}${path}` };
    return perform(summary, options, async ({ send, redactor }) => {
      const response = await send('POST', path, body);
      // Success is the status, never the absence of an error body: an empty-bodied 503 has none.
      if (response.status === 202 || response.status === 204) {
        // Read no success body: a 202 has none, and one that has is not ours to parse.
        response.discard();
        return { status: response.status, requestId: redactor.apply(requestIdOf(response)), alreadyStopped: false };
      }
      throw errorFromResponse(response, await response.text(), summary, redactor);
    });
  }

  async function getServer(serverId: string, options: RequestOptions = {}): Promise<Server> {
    const server_id = checkServerId(serverId);
    const path = `/${version}/${config.projectId}/servers/${server_id}`;
    const summary = { method: 'GET', url: `${config.endpoint}${path}` };
    return perform(summary, options, async ({ send, redactor }) => {
      const response = await send('GET', path);
      const text = await response.text();
      if (response.status !== 200) throw errorFromResponse(response, text, summary, redactor);
      const server = parseServer(text);
      if (!server) throw errorFromUnexpectedBody(response, 'server read', 'a server object', summary, redactor);
      return server;
    });
  }

  async function stopServer(serverId: string, options: StopServerOptions = {}): Promise<StopServerResult> {
    const server_id = checkServerId(serverId);
    checkRequestOptions(options);
    const wait = options.wait === undefined || options.wait === false ? undefined : checkWaitOptions(options.wait);
    const ifAlreadyStopped = checkOneOf('ifAlreadyStopped', options.ifAlreadyStopped ?? 'error', ['ok', 'error'] as const);
    let result: StopServerResult;
    try {
      result = await requestStop(server_id, options);
    } catch (error) {
      if (ifAlreadyStopped !== 'ok' || !isAlreadyStopped(error)) throw error;
      result = { status: 409, requestId: error.requestId, alreadyStopped: true };
    }
    if (!wait) return result;
    const server = await waitForShutoff(server_id, (signal) => getServer(server_id, { signal }), wait, options.signal);
    return { ...result, server };
  }

  async function listServers(options: ListServersOptions = {}): Promise<ServerSummary[]> {
    checkRequestOptions(options);
    const query = {
      ...(options.name !== undefined && { name: checkServerName('name', options.name, MAX_NAME_PATTERN) }),
      ...(options.status !== undefined && { status: checkOneOf('status', options.status, serverStatuses) }),
    };
    const search = new URLSearchParams(query).toString();
    const summary = { method: 'GET', url: `${config.endpoint}/${version}/${config.projectId}/servers${search ? `?${search}` : ''}` };
    return perform(summary, options, async ({ init, redactor }) => {
      const result = await raw.GET(listPath, { ...init, params: { path: { project_id: config.projectId }, query }, parseAs: 'text' });
      const { response } = result;
      if (response.status !== 200) throw errorFromResponse(response, result.error, summary, redactor);
      const servers = parseServerList(result.data);
      if (!servers) throw errorFromUnexpectedBody(response, 'server list', 'a list of servers', summary, redactor);
      return servers;
    });
  }

  async function findServersByName(name: string, options: RequestOptions = {}): Promise<ServerSummary[]> {
    const exact = checkServerName('name', name, MAX_NAME);
    const pattern = `^${exact.replace(/[\\^$.|?*+()[\]{}-]/g, '\\$&')}$`;
    return (await listServers({ ...options, name: pattern })).filter((server) => server.name === exact);
  }

  return { stopServer, getServer, listServers, findServersByName };
}

/** The longest server name (Nova's), and the longest name pattern (the spec's ServerNameFilter): any name escaped and anchored. */
const MAX_NAME = 255;
const MAX_NAME_PATTERN = 2 * MAX_NAME + 2;

/** A server name or name pattern: 1 to `max` characters, no control characters. */
function checkServerName(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value === '' || value.length > max) throw new EcsInputError(field, `must be a string of 1 to ${max} characters`);
  if (/\p{Cc}/u.test(value)) throw new EcsInputError(field, 'must not contain control characters');
  return value;
}

function parseServerList(text: unknown): ServerSummary[] | undefined {
  try {
    const body = JSON.parse(String(text)) as { servers?: unknown } | null;
    const servers = body?.servers;
    if (!Array.isArray(servers)) return undefined;
    const valid = servers.every((server: Partial<ServerSummary> | null) => typeof server?.id === 'string' && typeof server.name === 'string');
    return valid ? (servers as ServerSummary[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Nova's 409 for a server that is already stopped (also inside an ECS Ecs.1000 wrapper). */
function isAlreadyStopped(error: unknown): error is EcsApiError {
  return error instanceof EcsApiError && (error.status === 409 || error.code === 'Ecs.1000') && /in vm_state stopped/.test(error.message);
}

function parseServer(text: unknown): Server | undefined {
  try {
    const body = JSON.parse(String(text)) as { server?: unknown };
    const server = body.server as Partial<Server> | undefined;
    return typeof server === 'object' && server !== null && typeof server.status === 'string' ? (server as Server) : undefined;
  } catch {
    return undefined;
  }
}
