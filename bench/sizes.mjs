// Weight: the bundle a user's bundler would produce (esbuild, minified, then gzip -9), and the
// install footprint (what `npm install` puts in node_modules: packages, bytes, disk blocks).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const require = createRequire(import.meta.url);

async function bundle(esbuild, { name, entry, stdin, format }) {
  try {
    const result = await esbuild.build({
      ...(stdin ? { stdin } : { entryPoints: [entry] }),
      bundle: true,
      minify: true,
      format,
      platform: 'node',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    const inputs = Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs);
    const fromPackages = (pattern) => inputs.filter(([file]) => pattern.test(file)).reduce((s, [, v]) => s + v.bytesInOutput, 0);
    return {
      name,
      bytes: code.byteLength,
      gzip: gzipSync(code, { level: 9 }).byteLength,
      modules: inputs.length,
      warnings: result.warnings.length,
      openapiFetchBytes: fromPackages(/node_modules\/openapi-(fetch|typescript-helpers)\//),
    };
  } catch (error) {
    return { name, error: String(error.message ?? error).split('\n')[0] };
  }
}

export async function bundleSizes({ withSdk }) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    return { error: `esbuild did not load: ${error.message}` };
  }
  const out = [
    { id: 'ours', ...(await bundle(esbuild, { name: 'ours (dist/index.js + openapi-fetch), ESM', entry: path.join(root, 'dist', 'index.js'), format: 'esm' })) },
    // What an app that signs bundles: only createEcsClient and akskAuth imported, the rest shaken off.
    {
      id: 'oursAksk',
      ...(await bundle(esbuild, {
        name: 'ours, only `createEcsClient` and `akskAuth` imported, ESM',
        stdin: { contents: "export { createEcsClient, akskAuth } from './dist/index.js';", resolveDir: root, sourcefile: 'app.mjs', loader: 'js' },
        format: 'esm',
      })),
    },
  ];
  if (withSdk) {
    out.push(await bundle(esbuild, { name: 'Huawei SDK core, CJS', entry: require.resolve('@huaweicloud/huaweicloud-sdk-core'), format: 'cjs' }));
    out.push(await bundle(esbuild, { name: 'Huawei SDK ECS (+ core), CJS', entry: require.resolve('@huaweicloud/huaweicloud-sdk-ecs'), format: 'cjs' }));
  }
  return { version: esbuild.version, bundles: out };
}

/** Packages (folders with a package.json under node_modules, nested too), file bytes, disk use. */
export function measureNodeModules(dir) {
  let packages = 0;
  let bytes = 0;
  let files = 0;
  const walk = (current, isModulesDir) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (isModulesDir && entry.name.startsWith('@')) {
          walk(full, true);
          continue;
        }
        if (isModulesDir && existsSync(path.join(full, 'package.json'))) packages++;
        walk(full, entry.name === 'node_modules');
      } else if (entry.isFile()) {
        if (isModulesDir && entry.name === '.package-lock.json') continue;
        bytes += lstatSync(full).size;
        files++;
      }
    }
  };
  walk(dir, true);
  let diskBytes;
  try {
    diskBytes = Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) * 1024;
  } catch {
    diskBytes = NaN;
  }
  return { packages, bytes, files, diskBytes };
}

const npm = (args, cwd) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });

function installInto(dir, specs) {
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'footprint', private: true }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts', '--no-package-lock', ...specs], dir);
  return measureNodeModules(path.join(dir, 'node_modules'));
}

/** The SDK versions bench/package-lock.json pins, so the footprint is of what was measured. */
function lockedVersion(name) {
  const lock = JSON.parse(readFileSync(path.join(here, 'package-lock.json'), 'utf8'));
  return lock.packages[`node_modules/${name}`]?.version;
}

export function installFootprints({ withSdk }) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ecs-bench-footprint-'));
  const out = [];
  try {
    // Ours as `npm pack` ships it (dist was just built; --ignore-scripts skips prepack's rebuild).
    const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], root))[0];
    const oursDir = path.join(tmp, 'ours');
    execFileSync('mkdir', ['-p', oursDir]);
    out.push({ name: `ours (${packed.name}@${packed.version} tarball + dependencies)`, tarball: packed.size, ...installInto(oursDir, [path.join(tmp, packed.filename)]) });
    if (withSdk) {
      const specs = ['@huaweicloud/huaweicloud-sdk-core', '@huaweicloud/huaweicloud-sdk-ecs', 'uuid'].map((n) => `${n}@${lockedVersion(n) ?? 'latest'}`);
      const sdkDir = path.join(tmp, 'sdk');
      execFileSync('mkdir', ['-p', sdkDir]);
      try {
        out.push({ name: `Huawei SDK (${specs.join(', ')})`, ...installInto(sdkDir, specs) });
      } catch (error) {
        out.push({ name: 'Huawei SDK', error: String(error.stderr ?? error.message).trim().split('\n').slice(-1)[0] });
      }
    }
  } catch (error) {
    out.push({ name: 'ours', error: String(error.stderr ?? error.message).trim().split('\n').slice(-1)[0] });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}
