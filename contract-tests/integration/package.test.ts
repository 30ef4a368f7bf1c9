/**
 * The package as users get it: `npm run build`, then what `npm pack` ships, the entry point's
 * exports, and the `ecs-stop` bin run as a program through a symlink, as npm installs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/prism.js';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  exports: Record<string, unknown>;
};
let scratch: string;

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'pipe' });
  scratch = mkdtempSync(join(tmpdir(), 'ecs-stop-package-'));
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the package', () => {
  it('ships only the built code, its types, the generated types, the spec, README and LICENSE', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8' })) as [
      { files: { path: string }[] },
    ];
    const files = pack.files.map((f) => f.path).sort();
    expect(files.filter((f) => !/^dist\/([a-z-]+\/)*[a-z-]+\.(js|d\.ts)$/.test(f))).toEqual([
      'LICENSE',
      'README.md',
      'generated/openapi.d.ts',
      'generated/openapi.json',
      'generated/openapi.yaml',
      'package.json',
      'spec/overlays/upstream-nova.yaml',
    ]);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/cli.js']));
  });

  it('works when installed from its tarball: every module the entry and the bin import is shipped', () => {
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: repoRoot, encoding: 'utf8' }),
    ) as [{ filename: string }];
    // A consumer's node_modules, offline: the tarball unpacked, its one dependency linked from ours.
    const modules = join(scratch, 'consumer', 'node_modules');
    const installed = join(modules, 'huaweicloud-ecs-stop');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(scratch, filename), '-C', installed, '--strip-components=1']);
    for (const dependency of Object.keys(manifest.dependencies)) symlinkSync(join(repoRoot, 'node_modules', dependency), join(modules, dependency));
    const script = "import('huaweicloud-ecs-stop').then((m) => console.log(Object.keys(m).sort().join(' ')))";
    const imported = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(scratch, 'consumer'), encoding: 'utf8' });
    expect(imported.stderr).toBe('');
    expect(imported.stdout.trim().split(' ')).toEqual(expect.arrayContaining(['createEcsClient', 'tokenAuth', 'akskAuth', 'EcsError']));
    // The Node-only subpath, from the tarball too.
    const node = spawnSync(process.execPath, ['--input-type=module', '-e', "import('huaweicloud-ecs-stop/node').then((m) => console.log(typeof m.nodeTransport, typeof m.fromCloudsYaml))"], {
      cwd: join(scratch, 'consumer'),
      encoding: 'utf8',
    });
    expect(node.stderr).toBe('');
    expect(node.stdout.trim()).toBe('function function');
    const bin = spawnSync(process.execPath, [join(installed, manifest.bin['ecs-stop']!), '--version'], { encoding: 'utf8' });
    expect(bin.status).toBe(0);

    // The contract, for tools that consume it (a mock, a validator, another generator).
    const contract = `
      import { createRequire } from 'node:module';
      import { readFileSync } from 'node:fs';
      const require = createRequire(import.meta.url);
      const json = (await import('huaweicloud-ecs-stop/openapi.json', { with: { type: 'json' } })).default;
      const paths = ['openapi.yaml', 'spec/openapi.yaml', 'overlays/upstream-nova.yaml'].map((p) => require.resolve('huaweicloud-ecs-stop/' + p));
      console.log(JSON.stringify({ openapi: json.openapi, version: json.info.version, operations: Object.keys(json.paths).length,
        yaml: paths.map((p) => readFileSync(p, 'utf8').match(/^(openapi|overlay): .*$/m)[0]) }));`;
    const resolved = spawnSync(process.execPath, ['--input-type=module', '-e', contract], { cwd: join(scratch, 'consumer'), encoding: 'utf8' });
    expect(resolved.stderr).toBe('');
    expect(JSON.parse(resolved.stdout)).toEqual({
      openapi: '3.1.0',
      version: manifest.version,
      operations: 12,
      yaml: ['openapi: 3.1.0', 'openapi: 3.1.0', 'overlay: 1.0.0'],
    });
  });

  it('has openapi-fetch as its runtime dependency, and yaml for clouds.yaml (loaded from huaweicloud-ecs-stop/node and the CLI only)', () => {
    expect(Object.keys(manifest.dependencies)).toEqual(['openapi-fetch', 'yaml']);
  });

  it('exports the public API from its entry point', async () => {
    const entry = (await import(pathToFileURL(join(repoRoot, 'dist/index.js')).href)) as Record<string, unknown>;
    for (const name of ['createEcsClient', 'tokenAuth', 'akskAuth', 'EcsApiError', 'EcsInputError', 'EcsWaitError']) {
      expect(typeof entry[name], name).toBe('function');
    }
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  });

  it('keeps Node-only modules out of its main entry: what dist/index.js imports, transitively, is its own code and openapi-fetch', () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, 'utf8');
      for (const [, specifier] of code.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        if (specifier === undefined) continue;
        if (specifier.startsWith('.')) visit(join(file, '..', specifier));
        else external.add(specifier);
      }
    };
    visit(join(repoRoot, 'dist/index.js'));
    // The walk reached the whole client (not vacuous), and nothing outside it but openapi-fetch.
    expect([...seen].some((file) => file.endsWith('transport/fetch-transport.js'))).toBe(true);
    expect([...external]).toEqual(['openapi-fetch']);
    expect([...seen].some((file) => file.endsWith('node-transport.js'))).toBe(false);
    expect(manifest.exports['./node']).toEqual({ types: './dist/node.d.ts', default: './dist/node.js' });
  });

  it('runs its bin as a program through a symlink, as npm installs it', () => {
    const link = join(scratch, 'ecs-stop');
    symlinkSync(join(repoRoot, manifest.bin['ecs-stop']!), link);
    const version = spawnSync(process.execPath, [link, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
    // An argument refused before anything is sent (a name of more than 255 characters).
    const usage = spawnSync(process.execPath, [link, 'n'.repeat(256), '--region', 'cn-north-4'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ECS_AUTH_TOKEN: 'package-test-token', HUAWEICLOUD_SDK_PROJECT_ID: '77b6a44cba5143ab91d13ab9a8ff44fd' },
    });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('argument 1 must be a server ID (a UUID) or a server name');
    expect(usage.stderr + usage.stdout).not.toContain('package-test-token');
  });
});
