#!/usr/bin/env node
/**
 * `npm run bundle`: spec/ bundled by Redocly into generated/openapi.yaml, and the same document as
 * generated/openapi.json. With `--check` (in npm test): writes nothing, fails if either is stale.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { redocly } from './redocly.mjs';

const check = process.argv.includes('--check');
const scratch = mkdtempSync(join(tmpdir(), 'bundle-'));
try {
  const yamlPath = join(scratch, 'openapi.yaml');
  const code = await redocly(['bundle', 'spec/openapi.yaml', '-o', yamlPath]);
  if (code !== 0) process.exit(code);
  const yaml = readFileSync(yamlPath, 'utf8');
  const outputs = { 'generated/openapi.yaml': yaml, 'generated/openapi.json': `${JSON.stringify(parse(yaml), null, 2)}\n` };
  for (const [path, text] of Object.entries(outputs)) {
    if (!check) writeFileSync(path, text);
    else if (readFileSync(path, 'utf8') !== text) {
      console.error(`${path} differs from the bundle of spec/: run npm run bundle, then npm run generate`);
      process.exitCode = 1;
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
