/**
 * Proves the real-endpoint mode of `npm run contract` without a cloud: runs it, exactly as a
 * team would against Huawei, against a local stand-in server, and against a deliberately broken
 * stand-in, where it must fail.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runEndpointSuite as run } from '../support/endpoint-run.js';
import { startStandIn, type StandInOptions } from '../support/stand-in.js';
import { validProjectId, validServerId } from '../support/spec.js';

async function runEndpointSuite(standIn: StandInOptions, env: Record<string, string>) {
  const server = await startStandIn(standIn);
  try {
    return await run({ ECS_ENDPOINT: server.url, ECS_PROJECT_ID: validProjectId, ...env }, 60_000);
  } finally {
    await server.close();
  }
}

const akskEnv = { HUAWEICLOUD_SDK_AK: 'STANDINAKEXAMPLE', HUAWEICLOUD_SDK_SK: 'stand-in-sk-secret' };
// Three disposable servers: the first for Nova's stop, the other two for the native batch.
const [first, second, third] = [validServerId, randomUUID(), randomUUID()] as const;
const standIn = {
  projectId: validProjectId,
  ak: akskEnv.HUAWEICLOUD_SDK_AK,
  sk: akskEnv.HUAWEICLOUD_SDK_SK,
  token: 'stand-in-token',
  servers: [first, { id: second, name: 'disposable.1' }, { id: third, name: 'disposable.1' }],
};
const stopAll = { ECS_CONTRACT_SERVER_ID: `${first},${second},${third}`, ECS_CONTRACT_ALLOW_STOP: '1' };
const noNativeApi = "ECS_CONTRACT_NATIVE_API=0: the endpoint does not serve Huawei's native /v1 API";

describe('npm run contract against a real endpoint (a local stand-in)', () => {
  it("passes with AK/SK on v2.1, including the destructive stops: Nova's of one server, a native batch of two", async () => {
    const { code, output } = await runEndpointSuite(standIn, { ...akskEnv, ...stopAll });
    expect(output).toMatch(/^endpoint: 10 passed, 0 failed, 0 skipped$/m);
    expect(code).toBe(0);
  }, 90_000);

  it('passes with a token on v2, leaving servers alone by default', async () => {
    const { code, output } = await runEndpointSuite(standIn, { ECS_AUTH_TOKEN: 'stand-in-token', ECS_API_VERSION: 'v2' });
    // Skipped: the 406 check (v2), the two destructive stops (not opted in).
    expect(output).toMatch(/^endpoint: 7 passed, 0 failed, 3 skipped$/m);
    expect(output).not.toContain('stand-in-token');
    expect(code).toBe(0);
  }, 90_000);

  it("with two servers, stops both in the batch and says why Nova's stop is skipped", async () => {
    const { code, output } = await runEndpointSuite(standIn, { ECS_AUTH_TOKEN: 'stand-in-token', ECS_CONTRACT_SERVER_ID: `${second},${third}`, ECS_CONTRACT_ALLOW_STOP: '1' });
    expect(output).toMatch(/^endpoint: 9 passed, 0 failed, 1 skipped$/m);
    expect(output).toContain('both servers of ECS_CONTRACT_SERVER_ID go to the batch stop');
    expect(code).toBe(0);
  }, 90_000);

  it('without the native API (ECS_CONTRACT_NATIVE_API=0), skips its checks with that reason, none passed', async () => {
    const { code, output } = await runEndpointSuite(standIn, { ...akskEnv, ...stopAll, ECS_CONTRACT_NATIVE_API: '0' });
    // Skipped: the unknown job, the empty batch, the batch stop; Nova's stop still runs.
    expect(output).toMatch(/^endpoint: 7 passed, 0 failed, 3 skipped$/m);
    expect(output.split(noNativeApi).length - 1).toBe(3);
    expect(code).toBe(0);
  }, 90_000);

  it('fails against a stand-in that breaks the contract', async () => {
    const { code, output } = await runEndpointSuite({ ...standIn, broken: true }, { ...akskEnv, ...stopAll });
    expect(code).not.toBe(0);
    expect(output).toMatch(/^endpoint: \d+ passed, [1-9]\d* failed/m);
    expect(output).toContain('the contract declares no body, but one came');
    expect(output).toMatch(/POST \/v2\.1\/\S+\/action -> 404: body does not match the contract/);
    // The native API's breaches too: an unknown job's 404, the created job, a running job's status.
    expect(output).toMatch(/GET \/v1\/\S+\/jobs\/\S+ -> 404: body does not match the contract/);
    expect(output).toMatch(/POST \/v1\/\S+\/cloudservers\/action -> 200: body does not match the contract/);
    expect(output).toMatch(/GET \/v1\/\S+\/jobs\/\S+ -> 200: body does not match the contract/);
    expect(output).toMatch(/GET \/v2\.1\/\S+\/servers -> 200: body does not match the contract/);
  }, 90_000);
});
