/**
 * A small stateful Nova-like server on loopback, standing in for Huawei's ECS endpoint so the
 * real-endpoint contract suite can be proven in CI. It checks X-Auth-Token, verifies AK/SK
 * signatures (independently, with node:crypto), keeps servers going ACTIVE -> SHUTOFF, and answers
 * errors with Nova fault bodies and request-id headers. It also serves the server list by name
 * (a regular expression, matched anywhere, as Nova does) or status, and Huawei's native `/v1` batch
 * stop with its job: one sub-job per server, a server that cannot be stopped (not ACTIVE, locked,
 * unknown) failing its own sub-job with `Ecs.0100`, errors in the ECS shape.
 * `broken: true` makes it break the contract on purpose (a 202 with a body, a 404 in an
 * undocumented shape, a job created with a field too many, a running job with an undocumented
 * status, a server list without links).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInServer {
  id: string;
  name: string;
  status: 'ACTIVE' | 'SHUTOFF' | 'ERROR';
  vmState: 'active' | 'stopped' | 'error';
  taskState: 'powering-off' | null;
  powerState: 1 | 4;
  locked: boolean;
  updated: string;
}

/** A server to create: its ID, and optionally its name, a SHUTOFF status or a lock. */
export interface StandInServerSpec {
  id: string;
  /** Default `stand-in-<first 8 characters of the ID>`. Names need not be unique. */
  name?: string;
  status?: 'ACTIVE' | 'SHUTOFF';
  locked?: boolean;
}

export interface StandInOptions {
  projectId: string;
  token?: string;
  ak?: string;
  sk?: string;
  /** Servers that exist: an ID (ACTIVE), or a spec. */
  servers?: (string | StandInServerSpec)[];
  /** How long a server stays in task_state powering-off. */
  stopDelayMs?: number;
  /**
   * How long a batch job runs at least (default 100 ms). It also answers RUNNING to its first read
   * whatever the time, and, unless `jobSucceedsEarly`, until each of its servers is SHUTOFF.
   */
  jobDelayMs?: number;
  /**
   * A job says SUCCESS before its servers are SHUTOFF (as Huawei's has been seen to): its servers
   * stay powering-off until the job has been read as ended, and reach SHUTOFF `stopDelayMs` later.
   */
  jobSucceedsEarly?: boolean;
  broken?: boolean;
}

/** A batch stop job as the stand-in keeps it. */
export interface StandInJob {
  id: string;
  projectId: string;
  createdMs: number;
  beginTime: string;
  /** How many times it was read. */
  reads: number;
  /** Set when it was first read as ended. */
  endTime?: string;
  /** How many of its servers were SHUTOFF when it was first read as ended. */
  shutoffAtEnd?: number;
  subJobs: StandInSubJob[];
}

export interface StandInSubJob {
  id: string;
  serverId: string;
  /** Why the server could not be stopped (the sub-job fails), or undefined. */
  failure?: string;
  /** When the sub-job ended (its server SHUTOFF, or its failure). */
  endTime?: string;
}

export interface RunningStandIn {
  url: string;
  servers: Map<string, StandInServer>;
  jobs: Map<string, StandInJob>;
  /** Every request seen: method, path, status answered. */
  log: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

const MAX_MICROVERSION = [2, 60] as const;

export async function startStandIn(options: StandInOptions): Promise<RunningStandIn> {
  const servers = new Map<string, StandInServer>();
  for (const entry of options.servers ?? []) {
    const { id, name = `stand-in-${id.slice(0, 8)}`, status = 'ACTIVE', locked = false } = typeof entry === 'string' ? { id: entry } : entry;
    const state = status === 'SHUTOFF' ? { vmState: 'stopped', powerState: 4 } as const : { vmState: 'active', powerState: 1 } as const;
    servers.set(id, { id, name, status, ...state, taskState: null, locked, updated: new Date().toISOString() });
  }
  const jobs = new Map<string, StandInJob>();
  /** The servers of jobs that succeed early, powered off once their job has been read as ended. */
  const pendingShutoff = new Map<StandInSubJob, () => void>();
  const log: RunningStandIn['log'] = [];
  const stopDelayMs = options.stopDelayMs ?? 50;

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const send = answer(req, res, log);
    try {
      handle(req, body, send);
    } catch (error) {
      send(500, { computeFault: { code: 500, message: `Unexpected API Error: ${String(error)}` } });
    }
  });

  function handle(req: IncomingMessage, body: Buffer, send: Send) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const document = req.method === 'GET' ? versionDocument(url) : undefined;
    if (document) return send(200, document);
    const native = /^\/v1\/([^/]+)\/(?:cloudservers\/(action)|jobs\/([^/]+))$/.exec(url.pathname);
    if (native) return handleNative(req, body, url, send, native[1]!, native[2] !== undefined ? { kind: 'batch' } : { kind: 'job', jobId: native[3]! });
    const list = /^\/(v2|v2\.1)\/([^/]+)\/servers\/?$/.exec(url.pathname);
    if (list) return handleList(req, body, url, send, list[1] as 'v2' | 'v2.1', list[2]!);
    const match = /^\/(v2|v2\.1)\/([^/]+)\/servers\/([^/]+)(\/action)?$/.exec(url.pathname);
    if (!match) return send(404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment', request_id: gatewayId() });
    const [, version, projectId, serverId, action] = match as unknown as [string, 'v2' | 'v2.1', string, string, string | undefined];

    const headers = novaPreamble(req, body, url, send, version, projectId);
    if (!headers) return;

    const instance = servers.get(serverId);
    if (req.method === 'GET' && !action) {
      if (!instance) return send(404, { itemNotFound: { code: 404, message: `Instance ${serverId} could not be found.` } }, headers);
      return send(200, { server: serverView(instance, url, version, projectId) }, headers);
    }
    if (req.method !== 'POST' || !action) return send(405, { badMethod: { code: 405, message: 'The method specified is not allowed for this resource.' } }, headers);

    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return send(415, { badMediaType: { code: 415, message: 'Unsupported Content-Type' } }, headers);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return send(400, { badRequest: { code: 400, message: 'Malformed request body' } }, headers);
    }
    const problem = stopBodyProblem(payload);
    if (problem) return send(400, { badRequest: { code: 400, message: problem } }, headers);

    if (!instance) {
      if (options.broken) return send(404, { message: 'not found' }, headers);
      return send(404, { itemNotFound: { code: 404, message: `Instance ${serverId} could not be found.` } }, headers);
    }
    if (instance.locked) return send(409, { conflictingRequest: { code: 409, message: `Instance ${serverId} is locked` } }, headers);
    if (instance.taskState) {
      return send(409, { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${serverId} while it is in task_state ${instance.taskState}` } }, headers);
    }
    if (instance.vmState === 'stopped') {
      return send(409, { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${serverId} while it is in vm_state stopped` } }, headers);
    }
    powerOff(instance);
    return options.broken ? send(202, { accepted: true }, headers) : send(202, undefined, headers);
  }

  /**
   * Task powering-off now, SHUTOFF `stopDelayMs` later (then `then`); with `deferred`, `stopDelayMs`
   * after the function it returns is called.
   */
  function powerOff(instance: StandInServer, { deferred = false, then }: { deferred?: boolean; then?: (endTime: string) => void } = {}): () => void {
    instance.taskState = 'powering-off';
    instance.updated = new Date().toISOString();
    const finish = () => {
      setTimeout(() => {
        const now = new Date().toISOString();
        Object.assign(instance, { status: 'SHUTOFF', vmState: 'stopped', taskState: null, powerState: 4, updated: now });
        then?.(now);
      }, stopDelayMs).unref();
    };
    if (!deferred) finish();
    return finish;
  }

  /**
   * What every Nova route checks first: the credentials, the project, and on v2.1 the
   * microversion. Its headers, or `undefined` once an error has been sent.
   */
  function novaPreamble(req: IncomingMessage, body: Buffer, url: URL, send: Send, version: 'v2' | 'v2.1', projectId: string): Record<string, string> | undefined {
    if (!authenticated(req, body, url, options)) {
      send(401, { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail', request_id: gatewayId() });
      return undefined;
    }
    if (projectId !== options.projectId) {
      send(401, { unauthorized: { code: 401, message: 'Project ID mismatch' } });
      return undefined;
    }
    const microversion = version === 'v2.1' ? negotiate(req, send) : undefined;
    if (microversion === null) return undefined;
    return microversion ? versionHeaders(microversion) : {};
  }

  /** The server list without details: `name` a regular expression matched anywhere, `status` exact. */
  function handleList(req: IncomingMessage, body: Buffer, url: URL, send: Send, version: 'v2' | 'v2.1', projectId: string) {
    const headers = novaPreamble(req, body, url, send, version, projectId);
    if (!headers) return;
    if (req.method !== 'GET') return send(405, { badMethod: { code: 405, message: 'The method specified is not allowed for this resource.' } }, headers);
    const name = url.searchParams.get('name');
    let pattern: RegExp | undefined;
    if (name !== null) {
      try {
        pattern = new RegExp(name);
      } catch {
        return send(400, { badRequest: { code: 400, message: `Invalid input for query parameters name. Value: ${name}. '${name}' is not a 'regex'` } }, headers);
      }
    }
    const status = url.searchParams.get('status');
    const found = [...servers.values()].filter((instance) => (!pattern || pattern.test(instance.name)) && (status === null || instance.status === status));
    return send(200, { servers: found.map((instance) => serverSummary(instance, url, version, projectId, options.broken)) }, headers);
  }

  /** Huawei's native API: the batch stop and its job, answered in ECS's shapes. */
  function handleNative(req: IncomingMessage, body: Buffer, url: URL, sendAny: Send, projectId: string, route: { kind: 'batch' } | { kind: 'job'; jobId: string }) {
    const send: Send = (status, payload) => sendAny(status, payload, { 'X-Request-Id': gatewayId() });
    const noApi = () => send(404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment', request_id: gatewayId() });
    if (req.method !== (route.kind === 'batch' ? 'POST' : 'GET')) return noApi();
    if (!authenticated(req, body, url, options) || projectId !== options.projectId) {
      return send(401, { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail', request_id: gatewayId() });
    }
    if (route.kind === 'job') {
      const job = jobs.get(route.jobId);
      if (!job || job.projectId !== projectId) {
        return options.broken ? send(404, { message: 'job not found' }) : send(404, { error: { code: 'Ecs.0000', message: 'The job does not exist.' } });
      }
      return send(200, readJob(job));
    }
    const invalid = (detail: string) => send(400, { error: { code: 'Ecs.0005', message: 'Invalid parameter.', details: [{ code: 'Ecs.0005', message: detail }] } });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return invalid(`Content-Type: must be application/json`);
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return invalid('body: malformed JSON');
    }
    const parsed = batchStopBody(payload);
    if (typeof parsed === 'string') return invalid(parsed);

    const begin = new Date();
    const job: StandInJob = { id: gatewayId(), projectId, createdMs: begin.getTime(), beginTime: begin.toISOString(), reads: 0, subJobs: [] };
    for (const serverId of parsed.servers) {
      const sub: StandInSubJob = { id: gatewayId(), serverId };
      job.subJobs.push(sub);
      const instance = servers.get(serverId);
      const failure =
        !instance ? `server ${serverId} does not exist`
        : instance.locked ? `server ${serverId} is locked`
        : instance.status !== 'ACTIVE' || instance.taskState ? `server ${serverId} is ${instance.status}${instance.taskState ? ` (task ${instance.taskState})` : ''}`
        : undefined;
      if (failure) {
        Object.assign(sub, { failure, endTime: job.beginTime });
        continue;
      }
      if (options.jobSucceedsEarly) pendingShutoff.set(sub, powerOff(instance!, { deferred: true }));
      else powerOff(instance!, { then: (endTime) => (sub.endTime = endTime) });
    }
    jobs.set(job.id, job);
    return send(200, options.broken ? { job_id: job.id, status: 'accepted' } : { job_id: job.id });
  }

  /** The job as a read finds it: RUNNING on its first read, until `jobDelayMs` and (normally) each server is SHUTOFF. */
  function readJob(job: StandInJob) {
    const mayEnd = job.reads > 0 && Date.now() - job.createdMs >= (options.jobDelayMs ?? 100);
    job.reads++;
    const stopping = job.subJobs.filter((sub) => !sub.failure);
    if (!job.endTime && mayEnd && (options.jobSucceedsEarly || stopping.every((sub) => sub.endTime))) {
      job.endTime = new Date().toISOString();
      job.shutoffAtEnd = stopping.filter((sub) => servers.get(sub.serverId)?.status === 'SHUTOFF').length;
      for (const sub of stopping) {
        sub.endTime ??= job.endTime;
        pendingShutoff.get(sub)?.();
        pendingShutoff.delete(sub);
      }
    }
    const failed = job.subJobs.some((sub) => sub.failure);
    const reason = 'The ECS status does not meet requirements.';
    const status = job.endTime ? (failed ? 'FAIL' : 'SUCCESS') : options.broken ? 'PROCESSING' : 'RUNNING';
    return {
      job_id: job.id,
      job_type: 'batchStopServer',
      status,
      begin_time: job.beginTime,
      end_time: job.endTime ?? '',
      error_code: job.endTime && failed ? 'Ecs.0100' : null,
      fail_reason: job.endTime && failed ? `Ecs.0100: ${reason}` : null,
      entities: {
        sub_jobs_total: job.subJobs.length,
        sub_jobs: job.subJobs.map((sub) => ({
          status: sub.failure ? 'FAIL' : sub.endTime ? 'SUCCESS' : 'RUNNING',
          job_id: sub.id,
          job_type: 'stopServer',
          begin_time: job.beginTime,
          end_time: sub.endTime ?? '',
          error_code: sub.failure ? 'Ecs.0100' : null,
          fail_reason: sub.failure ? reason : null,
          entities: { server_id: sub.serverId, ...(sub.failure && { errorcode_message: `Ecs.0100: ${reason} (${sub.failure})` }) },
        })),
      },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    servers,
    jobs,
    log,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Send = (status: number, body?: unknown, headers?: Record<string, string>) => void;

function answer(req: IncomingMessage, res: ServerResponse, log: RunningStandIn['log']): Send {
  return (status, body, headers = {}) => {
    const requestId = `req-${randomUUID()}`;
    const payload = body === undefined ? '' : JSON.stringify(body);
    // ECS's native API gives its own X-Request-Id instead of Nova's.
    const ids = 'X-Request-Id' in headers ? {} : { 'X-OpenStack-Request-Id': requestId, 'X-Compute-Request-Id': requestId };
    res.writeHead(status, {
      ...ids,
      // As Nova does, even on a 202 with no body.
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(payload),
      ...headers,
    });
    res.end(payload);
    log.push({ method: req.method ?? '', path: new URL(req.url ?? '/', 'http://stand-in').pathname, status });
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const gatewayId = () => randomUUID().replace(/-/g, '');

/** Nova's schema for os-stop as Huawei documents it: null, {} or {"type": "SOFT"|"HARD"}. */
function stopBodyProblem(payload: unknown): string | undefined {
  const invalid = (detail: string) => `Invalid input for field/attribute os-stop. ${detail}`;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'The request body is not an object';
  const keys = Object.keys(payload);
  if (!keys.includes('os-stop')) return 'There is no such action: ' + (keys[0] ?? 'none');
  if (keys.length !== 1) return `Additional properties are not allowed (${keys.filter((k) => k !== 'os-stop').map((k) => `'${k}'`).join(', ')} was unexpected)`;
  const value = (payload as Record<string, unknown>)['os-stop'];
  if (value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return invalid('Value is not null or an object.');
  for (const [key, field] of Object.entries(value)) {
    if (key !== 'type') return invalid(`Additional properties are not allowed ('${key}' was unexpected)`);
    if (field !== 'SOFT' && field !== 'HARD') return invalid(`Value: ${JSON.stringify(field)}. 'type' is not one of ['SOFT', 'HARD']`);
  }
  return undefined;
}

const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** ECS's checks of the batch stop body: the servers to stop, or what is wrong (for `details`). */
function batchStopBody(payload: unknown): { type: 'SOFT' | 'HARD'; servers: string[] } | string {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(payload)) return 'body: must be an object';
  const extra = Object.keys(payload).find((key) => key !== 'os-stop');
  if (extra !== undefined) return `${extra}: not allowed`;
  const stop = payload['os-stop'];
  if (!isObject(stop)) return 'os-stop: must be an object';
  const unknown = Object.keys(stop).find((key) => key !== 'type' && key !== 'servers');
  if (unknown !== undefined) return `os-stop.${unknown}: not allowed`;
  if (stop.type !== undefined && stop.type !== 'SOFT' && stop.type !== 'HARD') return "os-stop.type: must be 'SOFT' or 'HARD'";
  const list = stop.servers;
  if (!Array.isArray(list)) return 'os-stop.servers: must be an array';
  if (list.length < 1 || list.length > 1000) return `os-stop.servers: must list 1 to 1000 servers (got ${list.length})`;
  const seen = new Set<string>();
  for (const [index, item] of list.entries()) {
    if (!isObject(item) || Object.keys(item).some((key) => key !== 'id')) return `os-stop.servers[${index}]: must be {"id": "<server ID>"}`;
    if (typeof item.id !== 'string' || !uuid.test(item.id)) return `os-stop.servers[${index}].id: must be a UUID`;
    if (seen.has(item.id.toLowerCase())) return `os-stop.servers[${index}].id: listed twice`;
    seen.add(item.id.toLowerCase());
  }
  return { type: stop.type ?? 'SOFT', servers: list.map((item: { id: string }) => item.id) };
}

/** The microversion asked for on v2.1; `null` once an error has been sent. */
function negotiate(req: IncomingMessage, send: Send): string | null {
  const legacy = req.headers['x-openstack-nova-api-version'];
  const standard = req.headers['openstack-api-version'];
  const asked = typeof standard === 'string' ? standard.replace(/^compute\s+/i, '') : typeof legacy === 'string' ? legacy : '2.1';
  if (asked === 'latest') return `${MAX_MICROVERSION[0]}.${MAX_MICROVERSION[1]}`;
  const parts = /^(\d+)\.(\d+)$/.exec(asked);
  if (!parts) {
    send(400, { badRequest: { code: 400, message: `API Version String ${asked} is of invalid format. Must be of format MajorNum.MinorNum.` } });
    return null;
  }
  const [major, minor] = [Number(parts[1]), Number(parts[2])];
  if (major !== 2 || minor < 1 || minor > MAX_MICROVERSION[1]) {
    send(406, { computeFault: { code: 406, message: `Version ${asked} is not supported by the API. Minimum is 2.1 and maximum is 2.60.` } });
    return null;
  }
  return `${major}.${minor}`;
}

const versions = {
  'v2.0': { id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z' },
  'v2.1': { id: 'v2.1', status: 'CURRENT', version: `${MAX_MICROVERSION[0]}.${MAX_MICROVERSION[1]}`, min_version: '2.1', updated: '2013-07-23T11:33:21Z' },
};

/** `GET /`, `/v2`, `/v2.1` (with or without a trailing slash): the version documents. */
function versionDocument(url: URL) {
  const link = (path: string) => [{ rel: 'self', href: `${url.origin}${path}` }];
  if (url.pathname === '/') {
    return { versions: [{ ...versions['v2.0'], links: link('/v2/') }, { ...versions['v2.1'], links: link('/v2.1/') }] };
  }
  const id = /^\/(v2|v2\.1)\/?$/.exec(url.pathname)?.[1];
  if (!id) return undefined;
  const version = id === 'v2' ? versions['v2.0'] : versions['v2.1'];
  const mediaType = `application/vnd.openstack.compute+json;version=${id === 'v2' ? '2' : '2.1'}`;
  return { version: { ...version, links: link(`/${id}/`), 'media-types': [{ base: 'application/json', type: mediaType }] } };
}

function versionHeaders(version: string): Record<string, string> {
  return {
    'OpenStack-API-Version': `compute ${version}`,
    'X-OpenStack-Nova-API-Version': version,
    Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
  };
}

function serverView(instance: StandInServer, url: URL, version: string, projectId: string) {
  const self = `${url.origin}/${version}/${projectId}/servers/${instance.id}`;
  return {
    id: instance.id,
    name: instance.name,
    status: instance.status,
    'OS-EXT-STS:vm_state': instance.vmState,
    'OS-EXT-STS:task_state': instance.taskState,
    'OS-EXT-STS:power_state': instance.powerState,
    tenant_id: projectId,
    updated: instance.updated.replace(/\.\d{3}Z$/, 'Z'),
    links: [
      { rel: 'self', href: self },
      { rel: 'bookmark', href: self.replace(`/${version}/`, '/') },
    ],
  };
}

function serverSummary(instance: StandInServer, url: URL, version: string, projectId: string, broken = false) {
  const self = `${url.origin}/${version}/${projectId}/servers/${instance.id}`;
  if (broken) return { id: instance.id, name: instance.name };
  return {
    id: instance.id,
    name: instance.name,
    links: [
      { rel: 'self', href: self },
      { rel: 'bookmark', href: self.replace(`/${version}/`, '/') },
    ],
  };
}

// AK/SK verification, written from Huawei's signing guide independently of src/auth.ts.
function authenticated(req: IncomingMessage, body: Buffer, url: URL, options: StandInOptions): boolean {
  const token = req.headers['x-auth-token'];
  if (typeof token === 'string') return options.token !== undefined && token === options.token;
  const authorization = req.headers.authorization;
  if (!authorization || options.ak === undefined || options.sk === undefined) return false;
  const parsed = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!parsed || parsed[1] !== options.ak) return false;
  const signedHeaders = parsed[2]!.split(';');
  const date = req.headers['x-sdk-date'];
  if (typeof date !== 'string' || !signedHeaders.includes('x-sdk-date')) return false;
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const path = url.pathname.split('/').map((segment) => encode(decodeURIComponent(segment))).join('/');
  const query = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  const headerLines = signedHeaders.map((name) => `${name}:${String(req.headers[name] ?? '').trim()}\n`).join('');
  const canonical = [req.method, path.endsWith('/') ? path : `${path}/`, query, headerLines, signedHeaders.join(';'), createHash('sha256').update(body).digest('hex')].join('\n');
  const stringToSign = `SDK-HMAC-SHA256\n${date}\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', options.sk).update(stringToSign).digest('hex') === parsed[3];
}
