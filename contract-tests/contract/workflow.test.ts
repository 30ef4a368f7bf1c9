/**
 * The whole stop workflow end to end against the stateful stand-in: stop, watch the server go
 * through powering-off to SHUTOFF, then a second stop conflicts (409), which `ifAlreadyStopped`
 * turns into success. Also the CLI's --wait, and the server read against the mock.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli.js';
import { akskAuth, createEcsClient, EcsApiError, tokenAuth, type StopProgress } from '../../src/index.js';
import { recordingFetch } from '../support/exchanges.js';
import { validProjectId, validServerId } from '../support/spec.js';
import { startStandIn, type RunningStandIn } from '../support/stand-in.js';

const credentials = { token: 'workflow-token', ak: 'WORKFLOWAKEXAMPLE', sk: 'workflow-sk-secret' };
let standIn: RunningStandIn;
const servers = Array.from({ length: 6 }, () => randomUUID());

beforeAll(async () => {
  standIn = await startStandIn({ projectId: validProjectId, ...credentials, servers, stopDelayMs: 150 });
});
afterAll(() => standIn.close());

const client = (auth = tokenAuth(credentials.token), apiVersion: 'v2' | 'v2.1' = 'v2.1') =>
  createEcsClient({ endpoint: standIn.url, projectId: validProjectId, auth, apiVersion, retry: false });
const fastWait = { intervalMs: 20, maxIntervalMs: 50, timeoutMs: 5_000 };

describe('stopServer with wait against the stand-in', () => {
  it.each([
    ['token', 'v2.1', () => tokenAuth(credentials.token)],
    ['AK/SK', 'v2', () => akskAuth({ ak: credentials.ak, sk: credentials.sk })],
  ] as const)('reaches SHUTOFF through powering-off (%s, %s)', async (_, apiVersion, auth) => {
    const serverId = servers.pop()!;
    const seen: StopProgress[] = [];
    const result = await client(auth(), apiVersion).stopServer(serverId, {
      type: 'SOFT',
      wait: { ...fastWait, onProgress: (p) => seen.push(p) },
    });
    expect(result).toMatchObject({ status: 202, alreadyStopped: false, server: { id: serverId, status: 'SHUTOFF' } });
    expect(result.server?.['OS-EXT-STS:vm_state']).toBe('stopped');
    expect(result.server?.['OS-EXT-STS:power_state']).toBe(4);
    expect(seen.map((p) => p.taskState)).toContain('powering-off');
    expect(seen.at(-1)?.status).toBe('SHUTOFF');
    expect(standIn.servers.get(serverId)?.status).toBe('SHUTOFF');
  });

  it('a second stop gets 409, which ifAlreadyStopped: ok makes a success', async () => {
    const serverId = servers.pop()!;
    const ecs = client();
    await ecs.stopServer(serverId, { wait: fastWait });
    const conflict = await ecs.stopServer(serverId).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(EcsApiError);
    expect(conflict).toMatchObject({ status: 409, kind: 'conflictingRequest' });
    expect((conflict as Error).message).toContain('in vm_state stopped');
    const again = await ecs.stopServer(serverId, { ifAlreadyStopped: 'ok', wait: fastWait });
    expect(again).toMatchObject({ status: 409, alreadyStopped: true, server: { status: 'SHUTOFF' } });
  });

  it('a stop while powering-off is not taken for already stopped', async () => {
    const serverId = servers.pop()!;
    const ecs = client();
    await ecs.stopServer(serverId);
    const error = await ecs.stopServer(serverId, { ifAlreadyStopped: 'ok' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, kind: 'conflictingRequest' });
    expect((error as Error).message).toContain('task_state powering-off');
  });
});

describe('ecs-stop --wait against the stand-in', () => {
  const env = { ECS_AUTH_TOKEN: credentials.token, HUAWEICLOUD_SDK_PROJECT_ID: validProjectId };
  async function cli(args: string[], withProgress = true) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const progress: string[] = [];
    const code = await main([...args, '--endpoint', standIn.url], env, {
      stdout: (line) => stdout.push(line),
      stderr: (line) => stderr.push(line),
      ...(withProgress && { progress: (text: string) => progress.push(text) }),
    });
    return { code, stdout, stderr, progress };
  }

  it('shows progress on a terminal and ends when the server is SHUTOFF', async () => {
    const serverId = servers.pop()!;
    const run = await cli([serverId, '--wait', '--timeout', '10']);
    expect(run.code).toBe(0);
    expect(run.progress.some((line) => line.includes('task powering-off'))).toBe(true);
    expect(run.progress.at(-1)).toMatch(new RegExp(`^server ${serverId}: SHUTOFF, \\d+ s$`));
    expect(run.stdout.at(-1)).toMatch(new RegExp(`^Server ${serverId} is SHUTOFF after \\d+ s$`));
    expect(run.stderr).toEqual([]);
  });

  it('with --ok-if-stopped, a stopped server exits 0; without it, 3', async () => {
    const serverId = servers.pop()!;
    expect((await cli([serverId, '--wait'])).code).toBe(0);
    const refused = await cli([serverId]);
    expect(refused.code).toBe(3);
    expect(refused.stderr[0]).toContain("409 conflictingRequest: Cannot 'stop' instance");
    const accepted = await cli([serverId, '--ok-if-stopped', '--wait', '--json'], false);
    expect(accepted.code).toBe(0);
    expect(JSON.parse(accepted.stdout[0]!)).toMatchObject({ ok: true, status: 409, alreadyStopped: true, serverStatus: 'SHUTOFF' });
  });

  it('refuses --timeout without --wait', async () => {
    const run = await cli([validServerId, '--timeout', '5']);
    expect(run.code).toBe(2);
    expect(run.stderr[0]).toContain('--timeout needs --wait');
  });
});

describe.each(['v2', 'v2.1'] as const)('getServer against the mock (%s)', (apiVersion) => {
  it('reads the example server, ACTIVE', async () => {
    const ecs = createEcsClient({
      endpoint: inject('targetUrl'),
      projectId: validProjectId,
      auth: tokenAuth('mock-token'),
      apiVersion,
      fetch: recordingFetch,
    });
    const server = await ecs.getServer(validServerId);
    expect(server).toMatchObject({ id: validServerId, status: 'ACTIVE', 'OS-EXT-STS:vm_state': 'active' });
  });
});
