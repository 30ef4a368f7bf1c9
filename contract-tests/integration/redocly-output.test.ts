/**
 * npm test's output carries no banner: Redocly runs through spec/tools/redocly.mjs, which drops its
 * two boxed notices (Node 20 end-of-life, Redoc 3) and passes everything else, the exit code too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/prism.js';

const scratch = mkdtempSync(join(tmpdir(), 'redocly-output-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const redocly = (...args: string[]) =>
  spawnSync(process.execPath, ['spec/tools/redocly.mjs', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off' } });

describe('redocly, as npm test runs it', () => {
  it('lints the spec with no boxed notice on either stream', () => {
    const run = redocly('lint', 'spec/openapi.yaml', '--lint-config', 'error');
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toContain('Your API description is valid');
    expect(run.stdout + run.stderr).not.toMatch(/[╔╚]|Node\.js 20|Redoc 3/);
  });

  it('still fails, and says why, on a document that does not lint', () => {
    const broken = join(scratch, 'broken.yaml');
    writeFileSync(broken, 'openapi: 3.1.0\ninfo: { title: broken }\npaths: {}\n');
    const run = redocly('lint', broken, '--lint-config', 'error');
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/version/);
    expect(run.stdout + run.stderr).not.toMatch(/Node\.js 20/);
  });
});
