/**
 * The package as users get it: `npm run build`, then what `npm pack` ships, the entry point's
 * exports, and the `ecs-stop` bin run as a program through a symlink, as npm installs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/prism.js';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
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
    expect(files.filter((f) => !/^dist\/[a-z-]+\.(js|d\.ts)$/.test(f))).toEqual([
      'LICENSE',
      'README.md',
      'generated/openapi.d.ts',
      'generated/openapi.yaml',
      'package.json',
      'spec/overlays/upstream-nova.yaml',
    ]);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/cli.js']));
  });

  it('has openapi-fetch as its one runtime dependency', () => {
    expect(Object.keys(manifest.dependencies)).toEqual(['openapi-fetch']);
  });

  it('exports the public API from its entry point', async () => {
    const entry = (await import(pathToFileURL(join(repoRoot, 'dist/index.js')).href)) as Record<string, unknown>;
    for (const name of ['createEcsClient', 'tokenAuth', 'akskAuth', 'EcsApiError', 'EcsInputError', 'EcsWaitError']) {
      expect(typeof entry[name], name).toBe('function');
    }
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  });

  it('runs its bin as a program through a symlink, as npm installs it', () => {
    const link = join(scratch, 'ecs-stop');
    symlinkSync(join(repoRoot, manifest.bin['ecs-stop']!), link);
    const version = spawnSync(process.execPath, [link, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
    const usage = spawnSync(process.execPath, [link, '..', '--region', 'cn-north-4'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ECS_AUTH_TOKEN: 'package-test-token', HUAWEICLOUD_SDK_PROJECT_ID: '77b6a44cba5143ab91d13ab9a8ff44fd' },
    });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('server-id');
    expect(usage.stderr + usage.stdout).not.toContain('package-test-token');
  });
});
