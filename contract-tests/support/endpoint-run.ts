import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './prism.js';

const vitestBin = join(repoRoot, 'node_modules/vitest/vitest.mjs');

/**
 * Runs `npm run contract` in endpoint mode, as a team would against its cloud, in a child
 * process whose environment holds only `env` of the suite's own variables.
 */
export function runEndpointSuite(env: Record<string, string>, timeoutMs = 300_000): Promise<{ code: number; output: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|ECS_|HUAWEICLOUD_|FC_)/.test(name)));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [vitestBin, 'run', '--config', 'contract-tests/vitest.config.ts', '--project', 'contract'],
      { cwd: repoRoot, env: { ...inherited, NO_COLOR: '1', ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}
