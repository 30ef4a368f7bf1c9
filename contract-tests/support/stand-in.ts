/**
 * A small stateful Nova-like server on loopback, standing in for Huawei's ECS endpoint so the
 * real-endpoint contract suite can be proven in CI. It checks X-Auth-Token, verifies AK/SK
 * signatures (independently, with node:crypto), keeps servers going ACTIVE -> SHUTOFF, and answers
 * errors with Nova fault bodies and request-id headers. `broken: true` makes it break the
 * contract on purpose (a 202 with a body, a 404 in an undocumented shape).
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

export interface StandInOptions {
  projectId: string;
  token?: string;
  ak?: string;
  sk?: string;
  /** IDs of servers that exist, ACTIVE. */
  servers?: string[];
  /** How long a server stays in task_state powering-off. */
  stopDelayMs?: number;
  broken?: boolean;
}

export interface RunningStandIn {
  url: string;
  servers: Map<string, StandInServer>;
  /** Every request seen: method, path, status answered. */
  log: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

const MAX_MICROVERSION = [2, 60] as const;

export async function startStandIn(options: StandInOptions): Promise<RunningStandIn> {
  const servers = new Map<string, StandInServer>();
  for (const id of options.servers ?? []) {
    servers.set(id, {
      id, name: `stand-in-${id.slice(0, 8)}`, status: 'ACTIVE', vmState: 'active', taskState: null,
      powerState: 1, locked: false, updated: new Date().toISOString(),
    });
  }
  const log: RunningStandIn['log'] = [];

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
    const match = /^\/(v2|v2\.1)\/([^/]+)\/servers\/([^/]+)(\/action)?$/.exec(url.pathname);
    if (!match) return send(404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment', request_id: gatewayId() });
    const [, version, projectId, serverId, action] = match as unknown as [string, 'v2' | 'v2.1', string, string, string | undefined];

    if (!authenticated(req, body, url, options)) {
      return send(401, { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail', request_id: gatewayId() });
    }
    if (projectId !== options.projectId) return send(401, { unauthorized: { code: 401, message: 'Project ID mismatch' } });

    const microversion = version === 'v2.1' ? negotiate(req, send) : undefined;
    if (microversion === null) return;
    const headers = microversion ? versionHeaders(microversion) : {};

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
    instance.taskState = 'powering-off';
    instance.updated = new Date().toISOString();
    setTimeout(() => {
      Object.assign(instance, { status: 'SHUTOFF', vmState: 'stopped', taskState: null, powerState: 4, updated: new Date().toISOString() });
    }, options.stopDelayMs ?? 50).unref();
    return options.broken ? send(202, { accepted: true }, headers) : send(202, undefined, headers);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    servers,
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
    res.writeHead(status, {
      'X-OpenStack-Request-Id': requestId,
      'X-Compute-Request-Id': requestId,
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
