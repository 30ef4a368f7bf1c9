/**
 * Proves the real-endpoint mode of `npm run contract` without a cloud: runs it, exactly as a
 * team would against Huawei, against a local stand-in server, and against a deliberately broken
 * stand-in, where it must fail.
 */
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
const standIn = { projectId: validProjectId, ak: akskEnv.HUAWEICLOUD_SDK_AK, sk: akskEnv.HUAWEICLOUD_SDK_SK, token: 'stand-in-token', servers: [validServerId] };

describe('npm run contract against a real endpoint (a local stand-in)', () => {
  it('passes with AK/SK on v2.1, including the destructive stop of a disposable server', async () => {
    const { code, output } = await runEndpointSuite(standIn, {
      ...akskEnv,
      ECS_CONTRACT_SERVER_ID: validServerId,
      ECS_CONTRACT_ALLOW_STOP: '1',
    });
    expect(output).toMatch(/^endpoint: 6 passed, 0 failed, 0 skipped$/m);
    expect(code).toBe(0);
  }, 90_000);

  it('passes with a token on v2, leaving servers alone by default', async () => {
    const { code, output } = await runEndpointSuite(standIn, { ECS_AUTH_TOKEN: 'stand-in-token', ECS_API_VERSION: 'v2' });
    expect(output).toMatch(/^endpoint: 4 passed, 0 failed, 2 skipped$/m);
    expect(output).not.toContain('stand-in-token');
    expect(code).toBe(0);
  }, 90_000);

  it('fails against a stand-in that breaks the contract', async () => {
    const { code, output } = await runEndpointSuite({ ...standIn, broken: true }, {
      ...akskEnv,
      ECS_CONTRACT_SERVER_ID: validServerId,
      ECS_CONTRACT_ALLOW_STOP: '1',
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(/^endpoint: \d+ passed, [1-9]\d* failed/m);
    expect(output).toContain('the contract declares no body, but one came');
    expect(output).toMatch(/404: body does not match the contract/);
  }, 90_000);
});
