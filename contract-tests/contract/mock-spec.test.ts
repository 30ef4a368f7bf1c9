/**
 * The Prism mock of the spec, asked directly: the Nova stop bodies and the batch stop bodies it
 * accepts and refuses, the job and its examples by status, the server list and its filters, no
 * credentials, every named response example (each valid for its schema, and served with its exact
 * status by every operation that declares it, to a request inside the contract), and the success
 * responses.
 */
import { describe, expect, inject, it } from 'vitest';
import { checkExchange, wireExchange } from '../support/exchange-check.js';
import { recordingFetch } from '../support/exchanges.js';
import {
  acceptedBatchStopBodies,
  acceptedStopBodies,
  componentValidator,
  contract,
  deref,
  namedResponseExamples,
  refusedBatchStopBodies,
  refusedStopBodies,
  sampleRequest,
  spec,
  validator,
  validJobId,
  validProjectId,
  validServerId,
  type JsonObject,
  type ResponseExample,
} from '../support/spec.js';

const mockUrl = inject('targetUrl');
const versions = ['v2', 'v2.1'] as const;
const actionUrl = (version: string) => `${mockUrl}/${version}/${validProjectId}/servers/${validServerId}/action`;
const batchUrl = `${mockUrl}/v1/${validProjectId}/cloudservers/action`;
const jobUrl = (jobId: string) => `${mockUrl}/v1/${validProjectId}/jobs/${jobId}`;
const listUrl = (version: string, query: Record<string, string> = {}) => {
  const search = new URLSearchParams(query).toString();
  return `${mockUrl}/${version}/${validProjectId}/servers${search ? `?${search}` : ''}`;
};

function post(url: string, body: string, headers: Record<string, string> = {}) {
  return recordingFetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': 'a-token', ...headers },
    body,
  });
}

function get(url: string, headers: Record<string, string> = {}) {
  return recordingFetch(url, { headers: { 'X-Auth-Token': 'a-token', ...headers } });
}

/** The first named example of a response component: what Prism answers a request it refuses with. */
function firstExampleOf(response: string) {
  const content = deref(((spec.components as JsonObject).responses as JsonObject)[response]).content as JsonObject;
  return deref(Object.values((content['application/json'] as JsonObject).examples as JsonObject)[0]).value;
}
const firstBadRequest = firstExampleOf('BadRequest');
const firstEcsBadRequest = firstExampleOf('EcsBadRequest');

describe.each(versions)('the mock of %s', (version) => {
  it.each(Object.entries(acceptedStopBodies))('answers 202 with no body to %s', async (_, body) => {
    const response = await post(actionUrl(version), body);
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    expect(response.headers.get('content-type') ?? '').not.toMatch(/json/);
  });

  it.each(Object.entries(refusedStopBodies))('answers 400 badRequest to a body with %s', async (_, body) => {
    const response = await post(actionUrl(version), body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(firstBadRequest);
    expect(firstBadRequest).toHaveProperty('badRequest');
  });

  it('answers 401 without credentials', async () => {
    const response = await recordingFetch(actionUrl(version), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"os-stop": {}}',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toHaveProperty('error_code', 'APIGW.0301');
  });
});

describe('the mock of the batch stop', () => {
  const batchRequest = componentValidator('BatchStopServersRequest');

  it.each(Object.entries(acceptedBatchStopBodies))('answers 200 with the job to %s', async (_, body) => {
    // Inside the contract, by the spec's own schema.
    expect(batchRequest(JSON.parse(body)), JSON.stringify(batchRequest.errors)).toBe(true);
    const response = await post(batchUrl, body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(await response.json()).toEqual({ job_id: validJobId });
  });

  it.each(Object.entries(refusedBatchStopBodies))('answers 400 Ecs.0005 to a body with %s', async (_, body) => {
    expect(batchRequest(JSON.parse(body))).toBe(false);
    const response = await post(batchUrl, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(firstEcsBadRequest);
    expect(firstEcsBadRequest).toMatchObject({ error: { code: 'Ecs.0005', details: [expect.objectContaining({ code: 'Ecs.0005' })] } });
  });

  it("takes the SDKs' Content-Type application/json;charset=UTF-8", async () => {
    const response = await post(batchUrl, acceptedBatchStopBodies['one server']!, { 'Content-Type': 'application/json;charset=UTF-8' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ job_id: validJobId });
  });

  it('answers 202 with the same job when asked to (the status Huawei leaves open)', async () => {
    const response = await post(batchUrl, acceptedBatchStopBodies['one server']!, { Prefer: 'code=202' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ job_id: validJobId });
  });

  it('lets the same server through twice when one is in capitals: uniqueItems compares strings (the client refuses it)', async () => {
    const body = JSON.stringify({ 'os-stop': { servers: [{ id: validServerId }, { id: validServerId.toUpperCase() }] } });
    expect(batchRequest(JSON.parse(body))).toBe(true);
    const response = await post(batchUrl, body);
    expect(response.status).toBe(200);
  });

  it('answers 401 without credentials', async () => {
    const response = await recordingFetch(batchUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: acceptedBatchStopBodies['one server']!,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toHaveProperty('error_code', 'APIGW.0301');
  });
});

describe('the mock of the job', () => {
  const validJob = componentValidator('Job');
  type SubJob = { status: string; error_code?: string | null; entities?: { server_id?: string; errorcode_message?: string } };
  type Job = { job_id: string; status: string; end_time?: string | null; error_code?: string | null; entities?: { sub_jobs?: SubJob[] } };

  it.each([
    ['init', 'INIT', []],
    ['running', 'RUNNING', ['SUCCESS', 'RUNNING']],
    ['succeeded', 'SUCCESS', ['SUCCESS', 'SUCCESS']],
    ['failedForOneServer', 'FAIL', ['SUCCESS', 'FAIL']],
  ] as const)('serves the example %s as a %s job, its sub-jobs %j', async (name, status, subStatuses) => {
    const response = await get(jobUrl(validJobId), { Prefer: `example=${name}` });
    expect(response.status).toBe(200);
    const job = (await response.json()) as Job;
    expect(validJob(job), JSON.stringify(validJob.errors)).toBe(true);
    expect(job).toMatchObject({ job_id: validJobId, status });
    const subJobs = job.entities?.sub_jobs ?? [];
    expect(subJobs.map((sub) => sub.status)).toEqual(subStatuses);
    // Each sub-job names its server, as the waiter needs to read it afterwards.
    for (const sub of subJobs) expect(sub.entities?.server_id).toMatch(/^[0-9a-f-]{36}$/);
    // An ended job has an end time and says why it failed only when it did.
    const ended = status === 'SUCCESS' || status === 'FAIL';
    expect(Boolean(job.end_time)).toBe(ended);
    expect(job.error_code ?? null).toBe(status === 'FAIL' ? 'Ecs.0100' : null);
    for (const sub of subJobs.filter((s) => s.status === 'FAIL')) {
      expect(sub.error_code).toMatch(/^Ecs\.\d{4}$/);
      expect(sub.entities?.errorcode_message).toMatch(/^Ecs\.\d{4}: ./);
    }
  });

  it('serves the first example (a job just created) when none is asked for', async () => {
    const response = await get(jobUrl(validJobId));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ job_id: validJobId, status: 'INIT' });
  });

  it('takes a job ID in capitals (the pattern allows A-F)', async () => {
    const response = await get(jobUrl(validJobId.toUpperCase()));
    expect(response.status).toBe(200);
  });

  it.each([
    ['31 characters', validJobId.slice(1)],
    ['33 characters', `${validJobId}0`],
    ['a server UUID', validServerId],
    ['not hexadecimal', 'gg808082889bd9690189061140c235fe'],
  ])('answers 400 Ecs.0005 to a job ID of %s', async (_, jobId) => {
    const response = await get(jobUrl(jobId));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(firstEcsBadRequest);
  });

  it('answers 404 with the unknown-job example when asked to', async () => {
    const response = await get(jobUrl(validJobId), { Prefer: 'code=404' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'Ecs.0000', message: 'The job does not exist.' } });
  });

  it('answers 401 without credentials', async () => {
    const response = await recordingFetch(jobUrl(validJobId));
    expect(response.status).toBe(401);
    expect(await response.json()).toHaveProperty('error_code', 'APIGW.0301');
  });
});

describe.each(versions)('the mock of the %s server list', (version) => {
  const validList = componentValidator('ServerListResponse');

  it.each([
    ['no filter', {}],
    ['an anchored, escaped name', { name: '^ecs\\-web\\-01$' }],
    ['a name pattern of 512 characters (255 escaped and anchored)', { name: 'a'.repeat(512) }],
    ['a status', { status: 'SHUTOFF' }],
    ['a name and a status', { name: 'web', status: 'ACTIVE' }],
  ])('answers 200 with a list to %s', async (_, query) => {
    const response = await get(listUrl(version, query));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(validList(body), JSON.stringify(validList.errors)).toBe(true);
  });

  it.each([
    ['a lowercase status', { status: 'shutoff' }],
    ['a status Nova does not have', { status: 'STOPPED' }],
    ['a name pattern of 513 characters', { name: 'a'.repeat(513) }],
  ])('answers 400 badRequest to %s', async (_, query) => {
    const response = await get(listUrl(version, query));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(firstBadRequest);
  });

  it.each([
    ['oneMatch', ['ecs-web-01']],
    ['twoMatches', ['ecs-web', 'ecs-web']],
    ['noMatch', []],
  ] as const)('serves the example %s: servers named %j', async (name, names) => {
    const response = await get(listUrl(version, { name: '^ecs\\-web$' }), { Prefer: `example=${name}` });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { servers: { id: string; name: string }[] };
    expect(body.servers.map((server) => server.name)).toEqual(names);
    expect(new Set(body.servers.map((server) => server.id)).size).toBe(names.length);
  });
});

describe('every named response example', () => {
  // An undeclared status such as 405 is answered from `default`.
  const code = (status: string) => (status === 'default' ? '405' : status);

  /**
   * Asks the mock for `use`'s response with this example, with a request inside the contract
   * for that operation (its path parameters, its body), so that only `Prefer` decides the answer.
   */
  async function serve(use: ResponseExample): Promise<Response> {
    const { method, path, body } = sampleRequest(use.operationId);
    const request = new Request(mockUrl + path, {
      method,
      headers: {
        'X-Auth-Token': 'a-token',
        Prefer: `code=${code(use.status)}, example=${use.name}`,
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      ...(body !== undefined && { body }),
    });
    const response = await recordingFetch(request.clone());
    const verdict = checkExchange(contract, await wireExchange(request, response));
    expect(verdict.outside, `${use.operationId}: the request is inside the contract`).toBeUndefined();
    expect(verdict.problems, use.operationId).toEqual([]);
    return response;
  }

  it.each(namedResponseExamples.map((e) => [e.label, e] as const))('%s: valid for its schema, and served by every operation that declares it', async (_, example) => {
    const validate = validator(example.schema);
    expect(validate(example.value), JSON.stringify(validate.errors)).toBe(true);
    for (const use of example.uses) {
      const response = await serve(use);
      expect(response.status, use.operationId).toBe(Number(code(use.status)));
      expect(response.headers.get('content-type'), use.operationId).toMatch(/^application\/json/);
      expect(await response.json(), use.operationId).toEqual(example.value);
    }
  });
});

describe('success responses', () => {
  it.each(versions)('%s 204 has no body', async (version) => {
    const response = await post(actionUrl(version), '{"os-stop": {}}', { Prefer: 'code=204' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('v2.1 202 carries the request id and echoes the microversion', async () => {
    const response = await post(actionUrl('v2.1'), '{"os-stop": {}}');
    expect(response.status).toBe(202);
    expect(response.headers.get('x-openstack-request-id')).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(response.headers.get('openstack-api-version')).toMatch(/^compute \d+\.\d+$/);
  });
});
