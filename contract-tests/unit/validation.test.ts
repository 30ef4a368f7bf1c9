/**
 * Bad input is refused before any request, with an EcsInputError naming the input; the
 * client's ID and microversion checks refuse exactly what the spec refuses. (That a refusal never
 * quotes a credential: secrets.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { akskAuth, createEcsClient, type EcsClientOptions, EcsError, EcsInputError, tokenAuth } from '../../src/index.js';
import { jobStatuses, maxBatchServers, patterns, serverStatuses } from '../../src/validate.js';
import { regions } from '../../src/regions.js';
import { ENDPOINT, fakeFetch, PROJECT, SERVER } from '../support/fixtures.js';
import { componentValidator, spec, type JsonObject } from '../support/spec.js';

const VALUE = 'S3CRET-VALUE-9z8y7x';

const base = (fetch: (request: Request) => Promise<Response>): EcsClientOptions => ({
  endpoint: ENDPOINT,
  projectId: PROJECT,
  auth: tokenAuth('tok'),
  retry: false,
  fetch,
});

/** Runs `attempt` and returns the EcsInputError it throws (synchronously or as a rejection). */
async function inputError(attempt: () => unknown): Promise<EcsInputError> {
  let error: unknown;
  try {
    await attempt();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(EcsInputError);
  expect(error).toBeInstanceOf(EcsError);
  const inputErr = error as EcsInputError;
  expect(inputErr.name).toBe('EcsInputError');
  // The message names the field.
  expect(inputErr.message.startsWith(`${inputErr.field} `)).toBe(true);
  return inputErr;
}

/** Creates a client from options built on `base` and checks it is refused, naming `field`. */
async function refusedOptions(field: string, options: (base: EcsClientOptions) => unknown) {
  const f = fakeFetch();
  const error = await inputError(() => createEcsClient(options(base(f.fetch)) as EcsClientOptions));
  expect(error.field).toBe(field);
  expect(f.requests).toHaveLength(0);
  return error;
}

const badIds: Array<[string, unknown]> = [
  ['empty', ''],
  ['.', '.'],
  ['..', '..'],
  ['containing /', `${SERVER.slice(0, 8)}/../x`],
  ['a / inside', 'a/b'],
  ['containing ?', `${SERVER}?x=1`],
  ['containing #', `${SERVER}#x`],
  ['with a space', ` ${SERVER}`],
  ['with a tab', `${SERVER}\t`],
  ['with a trailing newline', `${SERVER}\n`],
  ['with CR/LF', `${SERVER}\r\nX-Evil: 1`],
  ['with NUL', `${SERVER}\u0000`],
  ['with DEL', `\u007f${SERVER}`],
  ['percent-encoded dots', '%2e%2e'],
  ['not the right shape', 'not-a-uuid'],
  ['number', 42],
  ['undefined', undefined],
  ['null', null],
  ['object', { id: SERVER }],
];

describe('serverId', () => {
  it.each(badIds)('%s is refused before any request, field serverId', async (_label, value) => {
    const f = fakeFetch();
    const client = createEcsClient(base(f.fetch));
    const error = await inputError(() => client.stopServer(value as string));
    expect(error.field).toBe('serverId');
    expect(f.requests).toHaveLength(0);
  });

  it('a project ID where a server ID belongs is refused', async () => {
    const f = fakeFetch();
    const error = await inputError(() => createEcsClient(base(f.fetch)).stopServer(PROJECT));
    expect(error.field).toBe('serverId');
    expect(f.requests).toHaveLength(0);
  });

  it('upper-case hex is accepted (as the spec pattern allows)', async () => {
    const f = fakeFetch();
    await createEcsClient(base(f.fetch)).stopServer(SERVER.toUpperCase());
    expect(f.requests).toHaveLength(1);
  });
});

describe('projectId', () => {
  it.each(badIds)('%s is refused, field projectId', async (_label, value) => {
    await refusedOptions('projectId', (options) => ({ ...options, projectId: value }));
  });

  it('a UUID is not a project ID', async () => {
    await refusedOptions('projectId', (options) => ({ ...options, projectId: SERVER }));
  });
});

describe('stop options', () => {
  it.each(['soft', 'hard', 'REBOOT', '', 'SOFT ', 1, null])('type %j is refused, field type', async (type) => {
    const f = fakeFetch();
    const error = await inputError(() => createEcsClient(base(f.fetch)).stopServer(SERVER, { type: type as 'SOFT' }));
    expect(error.field).toBe('type');
    expect(f.requests).toHaveLength(0);
  });

  it.each(['abc', 'req-9D5E2B1A-3C4F-4E8A-B7D6-0F1E2A3B4C5D', 'req-9d5e2b1a-3c4f-4e8a-b7d6-0f1e2a3b4c5d\r\nX: y', ''])(
    'requestId %j is refused, field requestId',
    async (requestId) => {
      const f = fakeFetch();
      const error = await inputError(() => createEcsClient(base(f.fetch)).stopServer(SERVER, { requestId }));
      expect(error.field).toBe('requestId');
      expect(f.requests).toHaveLength(0);
    },
  );
});

describe('novaVersion and microversion', () => {
  it.each(['v3', 'V2.1', '2.1', 'v2.0', '', 'v1'])('novaVersion %j is refused', async (novaVersion) => {
    await refusedOptions('novaVersion', (options) => ({ ...options, novaVersion }));
    // The former name, still taken, is checked the same way.
    await refusedOptions('apiVersion', (options) => ({ ...options, apiVersion: novaVersion }));
  });

  it('novaVersion and its former name apiVersion together are refused', async () => {
    await refusedOptions('apiVersion', (options) => ({ ...options, novaVersion: 'v2', apiVersion: 'v2' }));
  });

  it("a microversion with novaVersion 'v2' is refused", async () => {
    await refusedOptions('microversion', (options) => ({ ...options, novaVersion: 'v2', microversion: '2.60' }));
    await refusedOptions('microversion', (options) => ({ ...options, apiVersion: 'v2', microversion: 'latest' }));
  });

  it.each(['2', '2.x', 'v2.1', '2.01', '02.1', ' 2.1', '2.1\r\n', 'LATEST', '', '2.1.1', 2.1])('microversion %j is refused', async (microversion) => {
    await refusedOptions('microversion', (options) => ({ ...options, microversion }));
  });

  it.each(['2.1', '2.60', '2.0', '10.100', 'latest'])('microversion %j is accepted on v2.1', async (microversion) => {
    const f = fakeFetch();
    await createEcsClient({ ...base(f.fetch), microversion }).stopServer(SERVER);
    expect(f.requests[0]!.headers.get('x-openstack-nova-api-version')).toBe(microversion);
  });
});

describe('endpoint and region', () => {
  it.each([
    ['http, not loopback', 'http://ecs.cn-north-4.myhuaweicloud.com'],
    ['http to a private address', 'http://10.0.0.1:8080'],
    ['http to a host that only starts like loopback', 'http://127.0.0.1.evil.example'],
    ['http to localhost-lookalike', 'http://localhost.evil.example'],
    ['another scheme', 'ftp://ecs.example.com'],
    ['file URL', 'file:///etc/passwd'],
    ['a path', 'https://ecs.example.com/v2.1'],
    ['a path and slash', 'https://ecs.example.com/api/'],
    ['a query', 'https://ecs.example.com/?a=1'],
    ['an empty query', 'https://ecs.example.com?'],
    ['a fragment', 'https://ecs.example.com#frag'],
    ['user info', 'https://user:pass@ecs.example.com'],
    ['a user name', 'https://user@ecs.example.com'],
    ['not a URL', 'ecs.example.com'],
    ['empty', ''],
    ['a number', 443],
  ])('%s is refused (%s)', async (_label, endpoint) => {
    await refusedOptions('endpoint', (options) => ({ ...options, endpoint }));
  });

  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://localhost', 'http://localhost'],
    ['http://[::1]:1', 'http://[::1]:1'],
    ['https://ecs.example.com/', 'https://ecs.example.com'],
    ['https://ecs.example.com:8443', 'https://ecs.example.com:8443'],
  ])('%s is allowed', async (endpoint, origin) => {
    const f = fakeFetch();
    const client = createEcsClient({ ...base(f.fetch), endpoint });
    expect(client.endpoint).toBe(origin);
    await client.stopServer(SERVER);
    expect(f.requests[0]!.url).toBe(`${origin}/v2.1/${PROJECT}/servers/${SERVER}/action`);
  });

  it('http to a non-loopback host is allowed with allowInsecureHttp: true', async () => {
    const f = fakeFetch();
    const client = createEcsClient({ ...base(f.fetch), endpoint: 'http://ecs.internal.example:8080', allowInsecureHttp: true });
    await client.stopServer(SERVER);
    expect(f.requests[0]!.url).toBe(`http://ecs.internal.example:8080/v2.1/${PROJECT}/servers/${SERVER}/action`);
  });

  it('both endpoint and region, or neither, are refused', async () => {
    for (const make of [
      (options: EcsClientOptions) => ({ ...options, region: 'cn-north-4' }),
      ({ endpoint: _endpoint, ...options }: EcsClientOptions) => options,
    ]) {
      const f = fakeFetch();
      const error = await inputError(() => createEcsClient(make(base(f.fetch)) as EcsClientOptions));
      expect(['endpoint', 'region']).toContain(error.field);
      expect(error.message).toMatch(/endpoint/);
      expect(error.message).toMatch(/region/);
    }
  });

  it("serverStatuses equals the spec's ServerStatus enum", () => {
    const schemas = (spec.components as JsonObject).schemas as JsonObject;
    expect([...serverStatuses]).toEqual((schemas.ServerStatus as JsonObject).enum);
  });

  it("knows every ECS region of Huawei's SDKs, the spec's region list", () => {
    const variable = ((spec.servers as JsonObject[])[0]!.variables as JsonObject).region as JsonObject;
    expect([...regions].sort()).toEqual([...(variable.enum as string[])].sort());
    for (const region of regions) {
      const f = fakeFetch();
      const { endpoint: _endpoint, ...options } = base(f.fetch);
      expect(() => createEcsClient({ ...options, region })).not.toThrow();
    }
  });

  it('refuses a well-formed region that ECS does not have, naming it and pointing to endpoint', async () => {
    const f = fakeFetch();
    const { endpoint: _endpoint, ...options } = base(f.fetch);
    const error = await inputError(() => createEcsClient({ ...options, region: 'xx-nowhere-1' }));
    expect(error.field).toBe('region');
    expect(error.message).toMatch(/^region is not an ECS region of Huawei's SDKs \(cn-north-1, .*\); give the endpoint instead$/);
    expect(error.message).not.toContain('xx-nowhere-1');
    expect(f.requests).toHaveLength(0);
  });

  it.each(['CN-NORTH-4', 'cn-north-4.evil.example', 'cn-north-4/x', 'evil.example#', '', 'cn', 'cn north 4', 'cn-north-4\n', 4])(
    'region %j is refused',
    async (region) => {
      const f = fakeFetch();
      const { endpoint: _endpoint, ...options } = base(f.fetch);
      const error = await inputError(() => createEcsClient({ ...options, region } as EcsClientOptions));
      expect(error.field).toBe('region');
    },
  );
});

describe('the options object', () => {
  it.each([null, undefined, 'https://ecs.example.com', 42])('%j is refused, naming options', async (options) => {
    const error = await inputError(() => createEcsClient(options as never));
    expect(error.field).toBe('options');
  });
});

describe('credentials', () => {
  it.each([
    ['empty token', () => tokenAuth(''), 'auth.token'],
    ['token with CR/LF', () => tokenAuth(`${VALUE}\r\nX-Evil: 1`), 'auth.token'],
    ['token with LF', () => tokenAuth(`${VALUE}\n`), 'auth.token'],
    ['token with a space', () => tokenAuth(`${VALUE} x`), 'auth.token'],
    ['non-string token', () => tokenAuth(42 as unknown as string), 'auth.token'],
    ['empty AK', () => akskAuth({ ak: '', sk: VALUE }), 'auth.ak'],
    ['AK with CR/LF', () => akskAuth({ ak: `${VALUE}\r\n`, sk: 'sk' }), 'auth.ak'],
    ['empty SK', () => akskAuth({ ak: 'ak', sk: '' }), 'auth.sk'],
    ['SK with CR/LF', () => akskAuth({ ak: 'ak', sk: `${VALUE}\r\n` }), 'auth.sk'],
    ['empty security token', () => akskAuth({ ak: 'ak', sk: 'sk', securityToken: '' }), 'auth.securityToken'],
    ['security token with LF', () => akskAuth({ ak: 'ak', sk: 'sk', securityToken: `${VALUE}\n` }), 'auth.securityToken'],
  ] as const)('%s throws, naming %s', async (_label, attempt, field) => {
    const error = await inputError(attempt);
    expect(error.field).toBe(field);
  });

  it('auth that is not tokenAuth/akskAuth is refused', async () => {
    await refusedOptions('auth', (options) => ({ ...options, auth: { token: VALUE } }));
    await refusedOptions('auth', (options) => ({ ...options, auth: undefined }));
  });
});

describe('timeouts, retries, user agent', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1.5, '1000'])('timeoutMs %j is refused', async (timeoutMs) => {
    await refusedOptions('timeoutMs', (options) => ({ ...options, timeoutMs }));
  });

  it.each([-1, 11, 1.5, Number.NaN])('retry.retries %j is refused', async (retries) => {
    await refusedOptions('retry.retries', (options) => ({ ...options, retry: { retries } }));
  });

  it.each([-1, Number.NaN])('retry delays %j are refused', async (delay) => {
    await refusedOptions('retry.baseDelayMs', (options) => ({ ...options, retry: { baseDelayMs: delay } }));
    await refusedOptions('retry.maxDelayMs', (options) => ({ ...options, retry: { maxDelayMs: delay } }));
  });

  it.each(['tool/1\r\nX-Evil: 1', 'tool/1\n', 'tool\u0000', '', 'tool/é'])('userAgent %j is refused', async (userAgent) => {
    await refusedOptions('userAgent', (options) => ({ ...options, userAgent }));
  });

  it('a non-function fetch is refused', async () => {
    await refusedOptions('fetch', (options) => ({ ...options, fetch: 'https://x' }));
  });

  it.each([
    ['a string', 'node'],
    ['an object', { send: () => undefined }],
  ])('a transport that is %s is refused', async (_label, transport) => {
    const error = await refusedOptions('transport', (options) => ({ ...options, fetch: undefined, transport }));
    expect(error.message).toBe('transport must be a function such as nodeTransport()');
  });

  it('fetch and transport together are refused: which one would send is not guessed', async () => {
    const error = await refusedOptions('transport', (options) => ({ ...options, transport: async () => new Response(null) }));
    expect(error.message).toBe('transport or fetch may be given, not both');
  });
});

describe('the client refuses exactly what the spec refuses', () => {
  const schemas = (spec.components as JsonObject).schemas as JsonObject;
  const specPattern = (name: string) => (schemas[name] as JsonObject).pattern as string;

  it.each(['ProjectId', 'ServerId', 'Microversion', 'JobId'] as const)("patterns.%s equals the spec's pattern", (name) => {
    expect(patterns[name].source).toBe(specPattern(name));
    expect(patterns[name].flags).toBe('');
  });

  it("jobStatuses equals the spec's JobStatus enum", () => {
    expect([...jobStatuses]).toEqual((schemas.JobStatus as JsonObject).enum);
  });

  it("maxBatchServers equals the spec's BatchStopOptions.servers maxItems (at least 1, each once)", () => {
    const servers = ((schemas.BatchStopOptions as JsonObject).properties as JsonObject).servers as JsonObject;
    expect(maxBatchServers).toBe(servers.maxItems);
    expect(servers).toMatchObject({ minItems: 1, uniqueItems: true });
  });

  const hexChar = fc.constantFrom(...'0123456789abcdefABCDEFgx-./ \n');
  const almost = (length: number) => fc.string({ unit: hexChar, minLength: length - 2, maxLength: length + 2 });

  it('serverId: accepted iff a valid ServerId', async () => {
    const valid = componentValidator('ServerId');
    const f = fakeFetch();
    const client = createEcsClient(base(f.fetch));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uuid(), fc.string(), almost(36), fc.constantFrom(SERVER, SERVER.toUpperCase(), `${SERVER}\n`)), async (value) => {
        const accepted = await client.stopServer(value).then(
          () => true,
          (error: unknown) => {
            expect(error).toBeInstanceOf(EcsInputError);
            return false;
          },
        );
        expect(accepted).toBe(valid(value));
      }),
      { numRuns: 200 },
    );
  });

  it('jobId: accepted iff a valid JobId', async () => {
    const valid = componentValidator('JobId');
    const job = { job_id: 'ff808082889bd9690189061140c235fe', status: 'SUCCESS' };
    const client = createEcsClient(base(async () => new Response(JSON.stringify(job), { status: 200 })));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{32}$/), fc.string(), almost(32), fc.uuid(), fc.constantFrom(job.job_id, `${job.job_id}\n`)), async (value) => {
        const accepted = await client.getJob(value).then(
          () => true,
          (error: unknown) => {
            expect(error).toBeInstanceOf(EcsInputError);
            return false;
          },
        );
        expect(accepted, JSON.stringify(value)).toBe(valid(value));
      }),
      { numRuns: 200 },
    );
  });

  it('server lists: stopServers takes a list iff its body is a valid BatchStopServersRequest, and refuses the same server in other capitals too', async () => {
    const valid = componentValidator('BatchStopServersRequest');
    const f = fakeFetch(async () => new Response('{"job_id":"ff808082889bd9690189061140c235fe"}', { status: 200 }));
    const client = createEcsClient(base(f.fetch));
    const other = '9b1f5d2e-6c3a-4e8b-8f0d-2a7c5e1b3d94';
    const id = fc.constantFrom(SERVER, other, SERVER.toUpperCase(), 'not-a-uuid', '', `${other}\n`);
    let acceptedLists = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(id, { maxLength: 4 }), async (ids) => {
        const sent = f.bodies.length;
        const accepted = await client.stopServers(ids).then(
          () => true,
          (error: unknown) => {
            expect(error).toBeInstanceOf(EcsInputError);
            return false;
          },
        );
        if (accepted) acceptedLists++;
        const sameInOtherCapitals = new Set(ids.map((each) => each.toLowerCase())).size < new Set(ids).size;
        expect(accepted, JSON.stringify(ids)).toBe(valid({ 'os-stop': { servers: ids.map((each) => ({ id: each })) } }) && !sameInOtherCapitals);
        // What is accepted is sent as it was given; what is refused is not sent at all.
        expect(f.bodies.slice(sent)).toEqual(accepted ? [JSON.stringify({ 'os-stop': { servers: ids.map((each) => ({ id: each })) } })] : []);
      }),
      { numRuns: 200 },
    );
    // Both sides were exercised.
    expect(acceptedLists).toBeGreaterThan(10);
    expect(acceptedLists).toBeLessThan(190);
  });

  it('projectId: accepted iff a valid ProjectId', () => {
    const valid = componentValidator('ProjectId');
    const f = fakeFetch();
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{32}$/), fc.string(), almost(32), fc.constantFrom(PROJECT, `${PROJECT}\n`)), (projectId) => {
        let accepted = true;
        try {
          createEcsClient({ ...base(f.fetch), projectId });
        } catch (error) {
          expect(error).toBeInstanceOf(EcsInputError);
          accepted = false;
        }
        expect(accepted).toBe(valid(projectId));
      }),
      { numRuns: 200 },
    );
  });

  it('microversion: accepted iff a valid Microversion (length limit included)', () => {
    const valid = componentValidator('Microversion');
    const f = fakeFetch();
    const versionish = fc.string({ unit: fc.constantFrom(...'0123456789.latest v'), maxLength: 20 });
    fc.assert(
      fc.property(
        fc.oneof(versionish, fc.string(), fc.constantFrom('2.60', 'latest', '2.1234567890123', '2.12345678901234', '12345678.1234567')),
        (microversion) => {
          let accepted = true;
          try {
            createEcsClient({ ...base(f.fetch), microversion });
          } catch (error) {
            expect(error).toBeInstanceOf(EcsInputError);
            accepted = false;
          }
          expect(accepted, JSON.stringify(microversion)).toBe(valid(microversion));
        },
      ),
      { numRuns: 300 },
    );
    expect(f.requests).toHaveLength(0);
  });

  it.each(['2.12345678901234', '12345678.1234567', '2.123456789012345', '123456789.1234567'])(
    'microversion %j: refused iff longer than the spec allows (maxLength)',
    (microversion) => {
      const valid = componentValidator('Microversion');
      const f = fakeFetch();
      const create = () => createEcsClient({ ...base(f.fetch), microversion });
      if (valid(microversion)) expect(create).not.toThrow();
      else expect(create).toThrow(EcsInputError);
    },
  );
});
