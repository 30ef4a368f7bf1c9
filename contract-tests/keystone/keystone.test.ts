/**
 * keystoneAuth against a real OpenStack Keystone (Debian python3-keystone, started by the test on
 * loopback) whose tokens live 5 seconds, and a compute stand-in that takes a request only with a
 * token the real Keystone says is valid (it asks Keystone, as keystonemiddleware would): password
 * and application-credential tokens, the catalog's compute endpoint, a wrong password, tokens
 * fetched again before they expire and after a 401, and 100 concurrent calls sharing one fetch.
 *
 * Waits are for a token's real expiry (seconds, on Keystone's clock); nothing asserts how long
 * anything took.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEcsClient, EcsApiError, type EcsClientOptions, keystoneAuth, type KeystoneAuthOptions, type Transport } from '../../src/index.js';
import { nodeTransport } from '../../src/node.js';
import { runToEnd } from '../support/child-process.js';
import { keystoneMissing, startKeystone, type RunningKeystone } from '../support/keystone.js';
import { repoRoot } from '../support/prism.js';
import { componentValidator } from '../support/spec.js';

const missing = keystoneMissing();
const SERVER = '4d8c3732-a248-40ed-bebc-539a6ffd25c0';
const TOKEN_SECONDS = 5;
/** A hang guard only: Keystone's single-threaded server is slow on a busy machine. */
const BUDGET = { timeout: 120_000 };

describe.runIf(!missing || process.env.CI)('tokens from a real Keystone', () => {
  let keystone: RunningKeystone;
  let compute: Server;
  let computeOrigin: string;
  /** The tokens the compute stand-in was shown, and what Keystone said of each. */
  const seen: { token: string; valid: boolean }[] = [];
  /** The servers the compute stand-in was asked to stop. */
  const stopped = new Set<string>();

  beforeAll(async () => {
    if (missing) throw new Error(`${missing}; .ci/run must install Keystone`);
    // The compute stand-in: a stop is accepted with a token Keystone validates, else 401. One
    // validation per token at a time, its answer kept for 250 ms (Keystone's wsgiref server takes
    // one request at a time and resets connections beyond a small backlog).
    const checks = new Map<string, { at: number; valid: Promise<boolean> }>();
    const validate = (token: string) => {
      const cached = checks.get(token);
      if (cached && Date.now() - cached.at < 250) return cached.valid;
      const valid = fetch(`${keystone.auth_url}/auth/tokens`, { headers: { 'X-Auth-Token': token, 'X-Subject-Token': token } }).then(
        async (check) => {
          await check.arrayBuffer();
          return check.status === 200;
        },
        () => false,
      );
      checks.set(token, { at: Date.now(), valid });
      return valid;
    };
    compute = createServer((req, res) => {
      req.resume();
      const token = String(req.headers['x-auth-token'] ?? '');
      void validate(token).then((valid) => {
        seen.push({ token, valid });
        if (!valid) {
          return res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}');
        }
        const requestId = { 'X-Openstack-Request-Id': `req-${crypto.randomUUID()}` };
        const id = /\/servers\/([^/]+)/.exec(req.url ?? '')?.[1] ?? '';
        if (req.method === 'POST') {
          stopped.add(id);
          return res.writeHead(202, { 'Content-Length': 0, ...requestId }).end();
        }
        // A server read, for --wait: SHUTOFF once stopped.
        const server = { id, name: 'kst-1', status: stopped.has(id) ? 'SHUTOFF' : 'ACTIVE', 'OS-EXT-STS:vm_state': stopped.has(id) ? 'stopped' : 'active', 'OS-EXT-STS:task_state': null };
        res.writeHead(200, { 'Content-Type': 'application/json', ...requestId }).end(JSON.stringify({ server }));
      });
    });
    await new Promise<void>((resolve) => compute.listen(0, '127.0.0.1', resolve));
    computeOrigin = `http://127.0.0.1:${(compute.address() as AddressInfo).port}`;
    keystone = await startKeystone({ tokenSeconds: TOKEN_SECONDS, computeUrl: `${computeOrigin}/v2.1/%(project_id)s` });
  }, 240_000);
  afterAll(async () => {
    compute?.closeAllConnections();
    compute?.close();
    await keystone?.stop();
  }, 30_000);

  const password = (): KeystoneAuthOptions => ({
    authUrl: keystone.auth_url,
    username: keystone.username,
    userDomainName: keystone.user_domain_name,
    password: keystone.password,
    projectName: keystone.project_name,
    projectDomainName: keystone.project_domain_name,
  });
  /** A client whose token requests are counted, over the global fetch or `transport`. */
  function client(auth: ReturnType<typeof keystoneAuth>, transport?: Transport) {
    const counted = { tokenRequests: 0 };
    const count = (url: string) => void (url.endsWith('/auth/tokens') && counted.tokenRequests++);
    const sending: Partial<EcsClientOptions> = transport
      ? { transport: (request, attempt) => (count(request.url), transport(request, attempt)) }
      : { fetch: (request) => (count(request.url), fetch(request)) };
    const ecs = createEcsClient({ endpoint: computeOrigin, projectId: keystone.project_id, auth, retry: false, ...sending });
    return { ecs, counted };
  }

  /** How many tokens the stand-in saw expired since `before`: each costs one more token (after its 401). */
  const expiredSince = (before: number) => seen.slice(before).filter((each) => !each.valid).length;

  it('a password token, scoped to the project by name, is accepted and used for every call', BUDGET, async () => {
    // The client's clock stopped, so that only Keystone decides when the token is done, however slow the machine.
    const frozen = Date.now();
    const { ecs, counted } = client(keystoneAuth({ ...password(), now: () => frozen }));
    const before = seen.length;
    for (let i = 0; i < 3; i++) expect((await ecs.stopServer(SERVER)).status).toBe(202);
    expect(counted.tokenRequests).toBe(1 + expiredSince(before));
  });

  it('an application-credential token is accepted', BUDGET, async () => {
    const auth = keystoneAuth({ authUrl: keystone.auth_url, applicationCredentialId: keystone.application_credential_id, applicationCredentialSecret: keystone.application_credential_secret });
    expect((await client(auth).ecs.stopServer(SERVER)).status).toBe(202);
  });

  it("the token's catalog gives the compute endpoint and the project ID", BUDGET, async () => {
    const auth = keystoneAuth(password());
    const session = await auth.session({ fetch: (request) => fetch(request), signal: new AbortController().signal });
    expect(session.projectId).toBe(keystone.project_id);
    const computeService = session.catalog.find((service) => service.type === 'compute');
    expect(computeService?.endpoints.find((e) => e.interface === 'public')?.url).toBe(`${computeOrigin}/v2.1/${keystone.project_id}`);
    expect(session.expiresAt - session.issuedAt).toBe(TOKEN_SECONDS * 1000);
  });

  it("the real Keystone's exchanges fit the contract's createToken: the request bodies keystoneAuth sends, the 201 and the 401", BUDGET, async () => {
    const sent: { body: unknown; status: number; token: string | null; answer: unknown }[] = [];
    const recording = async (request: Request) => {
      const body = JSON.parse(await request.clone().text()) as unknown;
      const response = await fetch(request);
      const answer = JSON.parse(await response.clone().text()) as unknown;
      sent.push({ body, status: response.status, token: response.headers.get('x-subject-token'), answer });
      return response;
    };
    const context = { fetch: recording, signal: new AbortController().signal };
    await keystoneAuth(password()).session(context);
    await keystoneAuth({ authUrl: keystone.auth_url, applicationCredentialId: keystone.application_credential_id, applicationCredentialSecret: keystone.application_credential_secret }).session(context);
    await keystoneAuth({ ...password(), password: 'wrong-Pa55word-77' }).session(context).catch(() => {});
    const request = componentValidator('TokenRequest');
    const token = componentValidator('Token');
    const error = componentValidator('IdentityErrorResponse');
    expect(sent.map((each) => each.status)).toEqual([201, 201, 401]);
    for (const each of sent) expect(request(each.body), JSON.stringify(request.errors)).toBe(true);
    for (const each of sent.slice(0, 2)) {
      expect(token(each.answer), JSON.stringify(token.errors)).toBe(true);
      expect(each.token).toMatch(/^\S+$/);
    }
    expect(error(sent[2]!.answer), JSON.stringify(error.errors)).toBe(true);
  });

  it('a wrong password: 401 from Keystone as an identity EcsApiError, the password nowhere, nothing sent to compute', BUDGET, async () => {
    const before = seen.length;
    const error = await client(keystoneAuth({ ...password(), password: 'wrong-Pa55-word-1234' })).ecs.stopServer(SERVER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcsApiError);
    expect(error).toMatchObject({ status: 401, kind: 'identity', message: 'The request you have made requires authentication.' });
    expect(JSON.stringify(error)).not.toContain('wrong-Pa55-word-1234');
    expect(seen.length).toBe(before);
  });

  it('5-second tokens are fetched again before they expire: calls across three lifetimes all pass', async () => {
    const { ecs, counted } = client(keystoneAuth(password()));
    const before = seen.length;
    const deadline = Date.now() + 3 * TOKEN_SECONDS * 1000;
    let calls = 0;
    while (Date.now() < deadline || calls < 3) {
      expect((await ecs.stopServer(SERVER)).status).toBe(202);
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // A token every half-life (2.5 s) or so, on a quiet machine far fewer than the calls. A call slower
    // than that margin (a very busy machine) may show Keystone an expired token: it is then taken
    // as a 401, a new token fetched and the call sent again, so it still passes; how many is told.
    const expired = expiredSince(before);
    console.log(`5-second tokens: ${calls} calls over ${3 * TOKEN_SECONDS} s, ${counted.tokenRequests} tokens fetched, ${expired} expired tokens shown to the service`);
    // Three lifetimes and three calls at least: three tokens at least, each fetched before the last expired.
    expect(counted.tokenRequests - expired).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('a token that expired without the client knowing (its clock stopped): the 401, one new token, the call sent again', async () => {
    const frozen = Date.now();
    const { ecs, counted } = client(keystoneAuth({ ...password(), now: () => frozen }));
    expect((await ecs.stopServer(SERVER)).status).toBe(202);
    // Past the token's life on Keystone's clock.
    await new Promise((resolve) => setTimeout(resolve, (TOKEN_SECONDS + 1) * 1000));
    const before = seen.length;
    expect((await ecs.stopServer(SERVER)).status).toBe(202);
    expect(seen.slice(before).map((each) => each.valid)).toEqual([false, true]);
    expect(counted.tokenRequests).toBe(2);
  }, 60_000);

  it.each([
    ['the global fetch', undefined],
    ['nodeTransport()', nodeTransport()],
  ])('100 concurrent calls share one token fetch, over %s', async (_label, transport) => {
    const frozen = Date.now();
    const { ecs, counted } = client(keystoneAuth({ ...password(), now: () => frozen }), transport);
    const before = seen.length;
    const results = await Promise.all(Array.from({ length: 100 }, () => ecs.stopServer(SERVER)));
    expect(results.every((r) => r.status === 202)).toBe(true);
    // One fetch for all; on a machine so slow that the token expired meanwhile, one more for all of its 401s.
    expect(counted.tokenRequests).toBe(expiredSince(before) === 0 ? 1 : 2);
  }, 120_000);

  describe('ecs-stop --os-cloud, as a program', () => {
    let home: string;
    beforeAll(() => {
      execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'pipe' });
      home = mkdtempSync(join(tmpdir(), 'ecs-stop-cloud-'));
      // The settings as an OpenStack user keeps them: the password apart, in secure.yaml, owner-only.
      writeFileSync(
        join(home, 'clouds.yaml'),
        [
          'clouds:',
          '  kstest:',
          '    auth:',
          `      auth_url: ${keystone.auth_url.replace(/\/v3$/, '')}`,
          `      username: ${keystone.username}`,
          `      user_domain_name: ${keystone.user_domain_name}`,
          `      project_name: ${keystone.project_name}`,
          `      project_domain_name: ${keystone.project_domain_name}`,
          `    region_name: ${keystone.region}`,
          '',
        ].join('\n'),
      );
      writeFileSync(join(home, 'secure.yaml'), `clouds:\n  kstest:\n    auth:\n      password: ${keystone.password}\n`, { mode: 0o600 });
    }, 120_000);
    afterAll(() => rmSync(home, { recursive: true, force: true }));

    /**
     * Runs dist/cli.js in `cwd` (default the settings' folder), with nothing of ours in its
     * environment but PATH, HOME and `env`. Asynchronously: the compute stand-in answers from this process.
     */
    const ecsStop = (args: string[], env: Record<string, string> = {}, cwd = home) =>
      runToEnd(process.execPath, [join(repoRoot, 'dist/cli.js'), ...args], { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...env } });

    it('--os-cloud NAME ID --wait: a token from Keystone, the endpoint and project from its catalog, the server stopped to SHUTOFF', async () => {
      const server = crypto.randomUUID();
      const run = await ecsStop(['--os-cloud', 'kstest', server, '--wait']);
      console.log(`$ ecs-stop --os-cloud kstest ${server} --wait\n${run.stdout}${run.stderr}[exit ${run.status}]`);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Stop accepted for server ${server} \\(HTTP 202, request req-`));
      expect(stopped.has(server)).toBe(true);
      expect(run.stdout + run.stderr).not.toContain(keystone.password);
    }, 120_000);

    it('--json, OS_CLOUD instead of the flag: one JSON line, the server SHUTOFF', async () => {
      const server = crypto.randomUUID();
      const run = await ecsStop([server, '--wait', '--json'], { OS_CLOUD: 'kstest' });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, serverId: server, serverStatus: 'SHUTOFF' });
    }, 120_000);

    it('a wrong password in secure.yaml: exit 3, Keystone\'s 401 told, the password nowhere', async () => {
      const wrongHome = mkdtempSync(join(tmpdir(), 'ecs-stop-cloud-'));
      try {
        writeFileSync(join(wrongHome, 'clouds.yaml'), readFileSync(join(home, 'clouds.yaml')));
        writeFileSync(join(wrongHome, 'secure.yaml'), 'clouds:\n  kstest:\n    auth:\n      password: not-the-Pa55word-42\n', { mode: 0o600 });
        const run = await ecsStop(['--os-cloud', 'kstest', crypto.randomUUID()], {}, wrongHome);
        expect(run.status).toBe(3);
        expect(run.stderr).toContain('The request you have made requires authentication.');
        expect(run.stdout + run.stderr).not.toContain('not-the-Pa55word-42');
      } finally {
        rmSync(wrongHome, { recursive: true, force: true });
      }
    }, 120_000);
  });
});
