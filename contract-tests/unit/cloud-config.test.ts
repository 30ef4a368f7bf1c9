/**
 * clouds.yaml, secure.yaml and OS_* variables as OpenStack's clients read them (loadCloud), in
 * temporary folders: where the files are found, which cloud is taken, how secure.yaml merges in,
 * and each mistake refused with the file and key named, never a value. What the token's catalog
 * makes of a cloud (connectCloud) is checked against a real Keystone in keystone/keystone.test.ts.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EcsInputError } from '../../src/index.js';
import { connectCloud, fromCloudsYaml, loadCloud, type CloudConfigOptions } from '../../src/node.js';
import { fetchTransport } from '../../src/transport/fetch-transport.js';
import { fakeFetch, json, PROJECT } from '../support/fixtures.js';

const PASSWORD = 'clouds-Pa55word-77aa';
const SECRET = 'app-cred-S3cret-88bb';
let dir: string;
let home: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clouds-'));
  home = join(dir, 'home');
  mkdirSync(join(home, '.config', 'openstack'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to `path` (under the temporary folder), readable by its owner only unless `mode` says otherwise. */
function write(path: string, text: string, mode = 0o600) {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  chmodSync(full, mode);
  return full;
}
const load = (options: Partial<CloudConfigOptions> = {}) => loadCloud({ cwd: dir, home, env: {}, ...options });
function refusal(run: () => unknown): EcsInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EcsInputError);
    const e = error as EcsInputError;
    expect(e.message).not.toMatch(/Pa55word|S3cret/);
    return e;
  }
  throw new Error('expected an EcsInputError');
}
/** The token request body an auth sends, by running it against a fake Keystone. */
async function tokenRequest(settings: ReturnType<typeof loadCloud>) {
  const keystone = fakeFetch(() =>
    json(201, {
      token: {
        expires_at: '2099-01-01T00:00:00Z',
        issued_at: '2098-12-31T23:00:00Z',
        project: { id: PROJECT },
        catalog: [
          { type: 'compute', endpoints: [
            { interface: 'public', region_id: 'RegionOne', url: `https://nova.example.com/v2.1/${PROJECT}` },
            { interface: 'internal', region_id: 'RegionOne', url: `http://10.0.0.1:8774/v2.1/${PROJECT}` },
            { interface: 'public', region_id: 'RegionTwo', url: 'https://nova2.example.com/v2' },
          ] },
        ],
      },
    }, { 'X-Subject-Token': 'MIIE-cloud-token' }),
  );
  await settings.auth.session({ fetch: keystone.fetch, signal: new AbortController().signal });
  return { url: keystone.requests[0]!.url, body: JSON.parse(keystone.bodies[0]!) as { auth: unknown } };
}

const cloudsYaml = `
clouds:
  devstack:
    auth:
      auth_url: http://127.0.0.1:5000
      username: demo
      user_domain_name: Default
      project_name: demo
      project_domain_name: Default
    region_name: RegionOne
  huawei:
    auth:
      auth_url: https://iam.cn-north-4.myhuaweicloud.com/v3
      username: ops-robot
      user_domain_name: acme-account
      project_name: cn-north-4
    region_name: cn-north-4
`;
const secureYaml = `
clouds:
  devstack:
    auth:
      password: ${PASSWORD}
  huawei:
    auth:
      password: ${PASSWORD}
`;

describe('finding clouds.yaml and secure.yaml', () => {
  it.each([
    ['the current folder', 'clouds.yaml'],
    ['~/.config/openstack', 'home/.config/openstack/clouds.yml'],
  ])('in %s, with secure.yaml from the same search', async (_label, path) => {
    write(path, cloudsYaml);
    write('home/.config/openstack/secure.yaml', secureYaml);
    const settings = load({ cloud: 'devstack' });
    expect(settings).toMatchObject({ cloud: 'devstack', file: join(dir, path), regionName: 'RegionOne', interface: 'public' });
    const { url, body } = await tokenRequest(settings);
    // keystoneauth's auth_url without /v3 gets it.
    expect(url).toBe('http://127.0.0.1:5000/v3/auth/tokens');
    expect(body.auth).toEqual({
      identity: { methods: ['password'], password: { user: { name: 'demo', domain: { name: 'Default' }, password: PASSWORD } } },
      scope: { project: { name: 'demo', domain: { name: 'Default' } } },
    });
  });

  it('OS_CLIENT_CONFIG_FILE and OS_CLIENT_SECURE_FILE name the files; OS_CLOUD the cloud', async () => {
    const clouds = write('elsewhere/c.yaml', cloudsYaml);
    const secure = write('elsewhere/s.yaml', secureYaml);
    write('clouds.yaml', 'clouds: {}'); // not read: the variable wins
    const settings = load({ env: { OS_CLIENT_CONFIG_FILE: clouds, OS_CLIENT_SECURE_FILE: secure, OS_CLOUD: 'huawei' } });
    expect(settings).toMatchObject({ cloud: 'huawei', file: clouds, regionName: 'cn-north-4' });
    // Huawei: the region's project by name, no project domain sent.
    expect((await tokenRequest(settings)).body.auth).toMatchObject({ scope: { project: { name: 'cn-north-4' } } });
  });

  it("a file's only cloud is taken without a name", () => {
    write('clouds.yaml', `clouds:\n  only:\n    auth: {auth_url: 'https://keystone.example.com/v3', user_id: u-1, project_id: ${PROJECT}}\n`);
    write('secure.yaml', `clouds:\n  only:\n    auth: {password: ${PASSWORD}}\n`);
    expect(load().cloud).toBe('only');
  });

  it('an application credential (auth_type v3applicationcredential), its secret in secure.yaml', async () => {
    write('clouds.yaml', `clouds:\n  ci:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: https://keystone.example.com/v3\n      application_credential_id: ac-1\n`);
    write('secure.yaml', `clouds:\n  ci:\n    auth:\n      application_credential_secret: ${SECRET}\n`);
    expect((await tokenRequest(load({ cloud: 'ci' }))).body.auth).toEqual({
      identity: { methods: ['application_credential'], application_credential: { id: 'ac-1', secret: SECRET } },
    });
  });

  it('without any clouds.yaml, the OS_* variables are a cloud', async () => {
    const settings = load({
      env: { OS_AUTH_URL: 'https://keystone.example.com/v3', OS_USERNAME: 'demo', OS_PASSWORD: PASSWORD, OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_ID: PROJECT, OS_REGION_NAME: 'RegionOne', OS_INTERFACE: 'internal' },
    });
    expect(settings).toMatchObject({ cloud: 'envvars', file: undefined, regionName: 'RegionOne', interface: 'internal' });
    expect((await tokenRequest(settings)).body.auth).toMatchObject({ scope: { project: { id: PROJECT } } });
  });

  it('renders without its secrets', () => {
    write('clouds.yaml', cloudsYaml);
    write('secure.yaml', secureYaml);
    const settings = load({ cloud: 'devstack' });
    expect(JSON.stringify(settings)).not.toContain(PASSWORD);
  });
});

describe('what the catalog gives', () => {
  it.each([
    ['the public endpoint of the region', { region_name: 'RegionOne' }, { endpoint: 'https://nova.example.com', novaVersion: 'v2.1', projectId: PROJECT }],
    ['the internal one', { region_name: 'RegionOne', interface: 'internal' }, { endpoint: 'http://10.0.0.1:8774', novaVersion: 'v2.1', projectId: PROJECT }],
    ['a v2 endpoint without the project in its path: the token’s project', { region_name: 'RegionTwo' }, { endpoint: 'https://nova2.example.com', novaVersion: 'v2', projectId: PROJECT }],
  ])('%s', async (_label, extra, expected) => {
    const yaml = `clouds:\n  c:\n    auth: {auth_url: 'https://keystone.example.com/v3', user_id: u-1, project_id: ${PROJECT}}\n${Object.entries(extra).map(([k, v]) => `    ${k}: ${v}\n`).join('')}`;
    write('clouds.yaml', yaml);
    write('secure.yaml', `clouds:\n  c:\n    auth: {password: ${PASSWORD}}\n`);
    const settings = load();
    await tokenRequest(settings); // the token (and its catalog) cached in the auth
    const options = await connectCloud(settings, { transport: () => Promise.reject(new Error('no request expected: the token is cached')) });
    expect(options).toMatchObject(expected);
  });

  it('no region given where the catalog has several: refused, naming region_name', async () => {
    write('clouds.yaml', `clouds:\n  c:\n    auth: {auth_url: 'https://keystone.example.com/v3', user_id: u-1, project_id: ${PROJECT}}\n`);
    write('secure.yaml', `clouds:\n  c:\n    auth: {password: ${PASSWORD}}\n`);
    const settings = load();
    await tokenRequest(settings);
    await expect(connectCloud(settings, { transport: () => Promise.reject(new Error('cached')) })).rejects.toMatchObject({ field: 'region_name' });
  });
});

describe('mistakes, each named by file and key, no value shown', () => {
  it.each([
    ['a cloud the file does not have', () => (write('clouds.yaml', cloudsYaml), load({ cloud: 'prod' })), 'OS_CLOUD', /names 'prod', which .* does not have \(it has devstack, huawei\)/],
    ['several clouds and none named', () => (write('clouds.yaml', cloudsYaml), load()), 'OS_CLOUD', /must name one of the clouds/],
    ['OS_CLOUD without any clouds.yaml', () => load({ env: { OS_CLOUD: 'x' } }), 'OS_CLOUD', /no clouds.yaml was found/],
    ['OS_CLIENT_CONFIG_FILE naming nothing', () => load({ env: { OS_CLIENT_CONFIG_FILE: join(dir, 'none.yaml') } }), 'OS_CLIENT_CONFIG_FILE', /does not exist/],
    ['no file and no OS_AUTH_URL', () => load(), 'OS_AUTH_URL', /must be set/],
    [
      'YAML that does not parse (its text, which may hold a password, not quoted)',
      () => (write('clouds.yaml', `clouds:\n  c:\n    auth: {password: ${PASSWORD}\n`), load()),
      'clouds.yaml',
      /is not valid YAML \(line \d+, column \d+\)$/,
    ],
    ['no clouds mapping', () => (write('clouds.yaml', 'other: 1\n'), load()), 'clouds.yaml', /must have a mapping named clouds/],
    ['no auth_url', () => (write('clouds.yaml', 'clouds:\n  c:\n    auth: {username: demo}\n'), load()), 'clouds.c.auth.auth_url', /must be given/],
    ['a username without its domain', () => (write('clouds.yaml', `clouds:\n  c:\n    auth: {auth_url: 'https://k.example.com', username: demo, project_id: p}\n`), write('secure.yaml', `clouds:\n  c:\n    auth: {password: ${PASSWORD}}\n`), load()), 'clouds.c.auth.user_domain_name', /must be given with username/],
    ['an unknown auth_type', () => (write('clouds.yaml', "clouds:\n  c:\n    auth_type: saml\n    auth: {auth_url: 'https://k.example.com'}\n"), load()), 'clouds.c.auth_type', /must be password/],
    [
      'a password in a clouds.yaml that every user can read',
      () => (write('clouds.yaml', `clouds:\n  c:\n    auth: {auth_url: 'https://k.example.com', user_id: u, project_id: p, password: ${PASSWORD}}\n`, 0o644), load()),
      'clouds.c.auth.password',
      /is a secret in a file every user can read: chmod o-r/,
    ],
    [
      'a secret in a secure.yaml that every user can read',
      () => (write('clouds.yaml', `clouds:\n  c:\n    auth: {auth_url: 'https://k.example.com', user_id: u, project_id: p}\n`), write('secure.yaml', `clouds:\n  c:\n    auth: {password: ${PASSWORD}}\n`, 0o644), load()),
      'secure.yaml: clouds.c.auth.password',
      /every user can read/,
    ],
  ])('%s', (_label, run, field, says) => {
    const error = refusal(run);
    expect(error.field.endsWith(field)).toBe(true);
    expect(error.message).toMatch(says);
  });
});

/** A Keystone answer with `catalog` and `project`, as the global fetch or an injected one gives it. */
const tokenAnswer = (catalog: unknown[], project: unknown = { id: PROJECT }) =>
  json(201, { token: { expires_at: '2099-01-01T00:00:00Z', issued_at: '2098-12-31T23:00:00Z', project, catalog } }, { 'X-Subject-Token': 'MIIE-cloud-token' });
const computeAt = (url: string, extra: Record<string, string> = { region_id: 'RegionOne' }) => [{ type: 'compute', endpoints: [{ interface: 'public', url, ...extra }] }];

describe('connecting, each way', () => {
  it('fromCloudsYaml over the global fetch: the file found through OS_CLIENT_CONFIG_FILE in process.env, the other defaults left as they are', async () => {
    const file = write('c.yaml', `clouds:\n  c:\n    auth: {auth_url: 'https://keystone.example.com/v3', user_id: u-1, project_id: ${PROJECT}, password: ${PASSWORD}}\n`);
    vi.stubEnv('OS_CLIENT_CONFIG_FILE', file);
    vi.stubEnv('OS_CLIENT_SECURE_FILE', join(dir, 'none.yaml'));
    vi.stubGlobal('fetch', async () => tokenAnswer(computeAt(`https://nova.example.com/v2.1/${PROJECT}`, { region: 'RegionOne' })));
    try {
      expect(await fromCloudsYaml()).toMatchObject({ endpoint: 'https://nova.example.com', novaVersion: 'v2.1', projectId: PROJECT });
      expect(await fromCloudsYaml('c', { transport: undefined as never })).toMatchObject({ projectId: PROJECT });
    } finally {
      vi.unstubAllEnvs();
      vi.unstubAllGlobals();
    }
  });

  const envCloud = { OS_AUTH_URL: 'https://keystone.example.com/v3', OS_USER_ID: 'u-1', OS_PASSWORD: PASSWORD, OS_PROJECT_ID: PROJECT };
  async function connectWith(catalog: unknown[], project?: unknown, env: Record<string, string> = envCloud) {
    const settings = load({ env });
    const fetch = async () => tokenAnswer(catalog, project);
    return connectCloud(settings, { transport: fetchTransport(fetch) });
  }

  it.each([
    ['no compute service', [{ type: 'identity', endpoints: [] }], undefined, 'region_name', /matches no public compute endpoint in the catalog of envvars$/],
    ['a compute endpoint under a path prefix', computeAt('https://cloud.example.com/compute/v2.1/p'), undefined, 'catalog', /has a path this client cannot use/],
    ['a v2 endpoint without a project, and a token without one', computeAt('https://nova.example.com/v2'), {}, 'catalog', /neither the compute endpoint nor the token of envvars gives a project ID/],
  ])('%s: refused, naming what', async (_label, catalog, project, field, says) => {
    const error = await connectWith(catalog, project).catch((e: unknown) => e);
    expect(error).toMatchObject({ field });
    expect((error as Error).message).toMatch(says);
  });

  it('a region that has no endpoint is named in the refusal', async () => {
    const error = await connectWith(computeAt('https://nova.example.com/v2.1'), undefined, { ...envCloud, OS_REGION_NAME: 'Mars' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/for region Mars$/);
  });

  it('the OS_* variables: OS_AUTH_TYPE, and an application credential by name taken as one', async () => {
    const byType = load({ env: { OS_AUTH_URL: 'https://k.example.com/v3', OS_AUTH_TYPE: 'v3applicationcredential', OS_APPLICATION_CREDENTIAL_ID: 'ac-1', OS_APPLICATION_CREDENTIAL_SECRET: SECRET } });
    expect((await tokenRequest(byType)).body.auth).toMatchObject({ identity: { methods: ['application_credential'] } });
    const byName = load({ env: { OS_AUTH_URL: 'https://k.example.com/v3', OS_APPLICATION_CREDENTIAL_NAME: 'ci', OS_USER_ID: 'u-1', OS_APPLICATION_CREDENTIAL_SECRET: SECRET } });
    expect((await tokenRequest(byName)).body.auth).toMatchObject({ identity: { application_credential: { name: 'ci', user: { id: 'u-1' } } } });
  });

  it('auth_type v3totp: the passcode sent with the password', async () => {
    write('clouds.yaml', `clouds:\n  c:\n    auth_type: v3totp\n    auth: {auth_url: 'https://k.example.com/v3', user_id: u-1, project_id: p, passcode: '123456'}\n`);
    write('secure.yaml', `clouds:\n  c:\n    auth: {password: ${PASSWORD}}\n`);
    expect((await tokenRequest(load())).body.auth).toMatchObject({ identity: { methods: ['password', 'totp'], totp: { user: { id: 'u-1', passcode: '123456' } } } });
  });
});

describe('more mistakes', () => {
  // The password in clouds.yaml itself, readable by its owner only.
  const minimal = `auth: {auth_url: 'https://k.example.com/v3', user_id: u, project_id: p, password: ${PASSWORD}}`;
  it.each([
    ['auth that is not a mapping', 'clouds:\n  c:\n    auth: [a, b]\n', 'clouds.c.auth', /must be a mapping with auth_url/],
    ['a key that is not a string', "clouds:\n  c:\n    auth: {auth_url: 'https://k.example.com/v3', username: [a]}\n", 'clouds.c.auth.username', /must be a string/],
    ['an auth_url keystoneAuth refuses (plain http off loopback)', "clouds:\n  c:\n    auth: {auth_url: 'http://k.example.com', user_id: u, project_id: p}\n", 'clouds.c.auth.auth_url', /https/],
    ['an unknown interface', `clouds:\n  c:\n    ${minimal}\n    interface: private\n`, 'clouds.c.interface', /must be public, internal or admin/],
    ['a region_name that is not a string', `clouds:\n  c:\n    ${minimal}\n    region_name: 7\n`, 'clouds.c.region_name', /must be a string/],
  ])('%s', (_label, yaml, field, says) => {
    write('clouds.yaml', yaml);
    // The password for another cloud: this one's auth is left as written.
    write('secure.yaml', `clouds:\n  other:\n    auth: {password: ${PASSWORD}}\n`);
    const error = refusal(() => load());
    expect(error.field.endsWith(field)).toBe(true);
    expect(error.message).toMatch(says);
  });

  it("a secure.yaml whose cloud is not a mapping", () => {
    write('clouds.yaml', `clouds:\n  c:\n    ${minimal}\n`);
    write('secure.yaml', 'clouds:\n  c: 42\n');
    expect(refusal(() => load()).field).toMatch(/secure\.yaml: clouds\.c$/);
  });

  it('a long unknown cloud name is cut when told', () => {
    write('clouds.yaml', cloudsYaml);
    const error = refusal(() => load({ cloud: `x${'y'.repeat(100)}` }));
    expect(error.message).toContain(`x${'y'.repeat(63)}…`);
    expect(error.message).not.toContain('y'.repeat(64));
  });
});
