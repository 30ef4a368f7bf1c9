// Cold import time: a fresh `node` process per run that imports one package and exits, the
// targets interleaved run by run (so drift hits all alike), median of the runs. The wall time
// of the whole process is measured, so `node -e 0` is the floor everything else sits on.
// `times` keeps each run's time in run order, so run k of one target pairs with run k of another.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, percentile, sorted } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ours = pathToFileURL(path.join(here, '..', 'dist', 'index.js')).href;

export const importTargets = (withSdk) => [
  { id: 'node', name: '`node -e 0`', args: ['-e', '0'] },
  { id: 'esm', name: '`node --input-type=module -e 0`', args: ['--input-type=module', '-e', '0'] },
  { id: 'ours', name: 'ours: `import(dist/index.js)` (with openapi-fetch)', args: ['--input-type=module', '-e', `await import(${JSON.stringify(ours)})`] },
  ...(withSdk
    ? [
        { id: 'sdkCore', name: 'Huawei SDK core (`@huaweicloud/huaweicloud-sdk-core`)', args: ['--input-type=module', '-e', "await import('@huaweicloud/huaweicloud-sdk-core'); await import('@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js')"] },
        { id: 'sdkEcs', name: 'Huawei SDK ECS (`@huaweicloud/huaweicloud-sdk-ecs`)', args: ['--input-type=module', '-e', "await import('@huaweicloud/huaweicloud-sdk-ecs')"] },
      ]
    : []),
];

/** `runs` interleaved runs, fewer (never under 6) when they would end past `budgetMs`. */
export function coldImports({ runs, withSdk, budgetMs = Infinity }) {
  const targets = importTargets(withSdk);
  // HOME in a temporary folder: nothing a package might write at import lands in the user's home.
  const home = mkdtempSync(path.join(os.tmpdir(), 'ecs-bench-home-'));
  const env = { ...process.env, HOME: home };
  const times = new Map(targets.map((t) => [t.id, []]));
  const t0 = Date.now();
  for (let run = -1; run < runs; run++) {
    const elapsed = Date.now() - t0;
    if (run >= 6 && elapsed + elapsed / (run + 1) > budgetMs) break;
    const order = run % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, t.args, { cwd: here, env, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.status !== 0) throw new Error(`${t.name} failed: ${result.stderr}`);
      if (run >= 0) times.get(t.id).push(ms); // run -1 warms the file cache
    }
  }
  rmSync(home, { recursive: true, force: true });
  return targets.map((t) => {
    const all = sorted(times.get(t.id));
    return { id: t.id, name: t.name, median: median(all), min: all[0], p90: percentile(all, 90), runs: all.length, times: times.get(t.id) };
  });
}
