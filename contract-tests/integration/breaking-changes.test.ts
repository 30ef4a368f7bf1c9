/**
 * The breaking-change check (`spec/released/check.mjs`: Specmatic's compatibility check of the
 * bundle against the last released contract, on Java 17). It passes on the current bundle, fails
 * and names the change for deliberately breaking edits of a temp copy of the bundle (never the
 * repo's), and passes on edits that break no client. Each run starts a JVM: 5 to 10 s.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, YAMLSeq, type Document } from 'yaml';
import { runToEnd } from '../support/child-process.js';
import { repoRoot, specPath } from '../support/prism.js';

const checkScript = join(repoRoot, 'spec/released/check.mjs');
const stopV2 = ['paths', '/v2/{project_id}/servers/{server_id}/action', 'post'];
const stopV21 = ['paths', '/v2.1/{project_id}/servers/{server_id}/action', 'post'];
const schemas = ['components', 'schemas'];
const jvmRun = { timeout: 120_000 };

interface CheckRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the check as `npm run breaking:check` does (in `root`, a copy of the repo's), with `args` and extra environment. */
function check(args: string[], env: Record<string, string> = {}, root = repoRoot): Promise<CheckRun> {
  return runToEnd(process.execPath, [join(root, 'spec/released/check.mjs'), ...args], { cwd: root, env: { ...process.env, ...env } });
}

/**
 * What the check reads of a repo, in `dir`: itself and the released contracts, a package.json of
 * `version`, `bundle` as generated/openapi.yaml, an empty file for each of `released`, and our node_modules.
 */
function copyOfRepo(dir: string, { version, bundle, released = [] }: { version: string; bundle: string; released?: string[] }): string {
  const root = mkdtempSync(join(dir, 'repo-'));
  cpSync(join(repoRoot, 'spec/released'), join(root, 'spec/released'), { recursive: true });
  for (const v of released) writeFileSync(join(root, 'spec/released', `${v}.yaml`), '');
  mkdirSync(join(root, 'generated'));
  cpSync(bundle, join(root, 'generated/openapi.yaml'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'copy', version, type: 'module' }));
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  return root;
}

// Why the check cannot run here (no Java 17+, or no specmatic jar), or undefined.
const probe = spawnSync(process.execPath, [checkScript, '--probe'], { encoding: 'utf8' });
const missing = probe.status === 0 ? undefined : probe.stderr.trim() || `the probe exited ${probe.status}`;

if (missing && !process.env.CI) {
  console.warn(
    `\n${'!'.repeat(78)}\n!! The breaking-change tests DID NOT RUN: ${missing}\n` +
      `!! Install Java 17 (Debian: apt-get install --no-install-recommends openjdk-17-jre-headless) and run npm ci.\n${'!'.repeat(78)}\n`,
  );
}

// Tool output that must never reach the check's own output.
const noise = /WARNING|Specmatic Version|licen[cs]e|Insights|telemetry|Generating|\[Compatibility Check\]/i;

describe('the breaking-change check', () => {
  // In CI a missing Java or jar fails every test here; elsewhere they are skipped, loudly.
  describe.runIf(!missing || process.env.CI)('with Specmatic on Java', () => {
    let scratch: string;
    let edited = 0;

    beforeAll(() => {
      if (missing) throw new Error(`${missing}\n.ci/run must install openjdk-17-jre-headless, and package.json must list specmatic`);
      scratch = mkdtempSync(join(tmpdir(), 'breaking-check-'));
    });
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    /** The bundle with `edit` applied, written to a temp file; asserts that every path it edits exists. */
    function editedBundle(edit: (doc: Document.Parsed) => void): string {
      const doc = parseDocument(readFileSync(specPath, 'utf8'));
      edit(doc);
      const file = join(scratch, `edit-${++edited}.yaml`);
      writeFileSync(file, doc.toString({ lineWidth: 0 }));
      return file;
    }
    const existing = (doc: Document.Parsed, path: string[]) => {
      expect(doc.hasIn(path), `the bundle has ${path.join(' > ')}`).toBe(true);
      return path;
    };

    it('passes on the current spec (generated/openapi.yaml against the last release)', jvmRun, async () => {
      const run = await check([]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^breaking:check: no breaking change in generated\/openapi\.yaml against spec\/released\/\d+\.\d+\.\d+\.yaml \(Specmatic [\d.]+, [\d.]+ s\)\n$/);
    });

    it.each([
      {
        change: 'a removed response status (409 of stopServerV21)',
        edit: (doc: Document.Parsed) => doc.deleteIn(existing(doc, [...stopV21, 'responses', '409'])),
        named: [/^ {2}- stopServerV21 \(POST \/v2\.1\/\{project_id\}\/servers\/\{server_id\}\/action\): response 409 removed$/m],
      },
      {
        change: 'a narrowed request schema (HARD removed from the StopType enum)',
        edit: (doc: Document.Parsed) => doc.setIn(existing(doc, [...schemas, 'StopType', 'enum']), doc.createNode(['SOFT'])),
        named: [
          /^ {2}- batchStopServers \(POST \/v1\/.*\): request body os-stop\.type: .*"HARD" in the old specification$/m,
          /^ {2}- stopServerV2 \(POST \/v2\/.*\): request body os-stop\.type: .*"HARD" in the old specification$/m,
          /^ {2}- stopServerV21 \(POST \/v2\.1\/.*\): request body os-stop\.type: .*"HARD" in the old specification$/m,
        ],
      },
      {
        change: 'a new required request field (reason)',
        edit: (doc: Document.Parsed) => {
          doc.setIn([...existing(doc, [...schemas, 'StopServerRequest', 'properties']), 'reason'], doc.createNode({ type: 'string' }));
          (doc.getIn(existing(doc, [...schemas, 'StopServerRequest', 'required'])) as YAMLSeq).add('reason');
        },
        named: [
          /^ {2}- stopServerV2 \(.*\): request body reason: R2001: Missing required property: .*"reason"/m,
          /^ {2}- stopServerV21 \(.*\): request body reason: R2001: Missing required property: .*"reason"/m,
        ],
      },
      {
        change: 'a removed operation (stopServerV2)',
        edit: (doc: Document.Parsed) => doc.deleteIn(existing(doc, stopV2)),
        named: [/^ {2}- stopServerV2 \(POST \/v2\/\{project_id\}\/servers\/\{server_id\}\/action\): operation removed$/m],
      },
    ])('fails on $change, naming it', jvmRun, async ({ edit, named }) => {
      const run = await check([editedBundle(edit)]);
      expect(run.status, run.stderr).toBe(1);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^breaking:check: .*edit-\d+\.yaml against spec\/released\/\d+\.\d+\.\d+\.yaml: breaking changes \(Specmatic [\d.]+, [\d.]+ s\):$/);
      // Each change on one line per operation, then what to do: a few readable lines, no tool noise.
      expect(lines.slice(1, -1).every((line) => line.startsWith('  - '))).toBe(true);
      expect(lines).toHaveLength(named.length + 2);
      for (const pattern of named) expect(run.stderr).toMatch(pattern);
      expect(lines.at(-1)).toMatch(/^To break clients of .*, bump package\.json to the next major version .*CHANGELOG\.md/);
      expect(run.stderr).not.toMatch(noise);
    });

    it('lists the breaking changes but passes once package.json starts a new compatibility line (0.2.0 after 0.1.0)', jvmRun, async () => {
      const edit = editedBundle((doc) => doc.deleteIn(existing(doc, [...stopV21, 'responses', '409'])));
      const repo = copyOfRepo(scratch, { version: '0.2.0', bundle: edit });
      const run = await check([], {}, repo);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^ {2}- stopServerV21 \(POST \/v2\.1\/.*\): response 409 removed$/m);
      expect(run.stdout).toMatch(/^They are allowed: package\.json's 0\.2\.0 starts a new compatibility line after 0\.1\.0\. List them in CHANGELOG\.md\.$/m);
    });

    it('passes on changes that break no client: an added optional response header and a longer description', jvmRun, async () => {
      const file = editedBundle((doc) => {
        doc.setIn(
          [...existing(doc, ['components', 'responses', 'AcceptedV21', 'headers']), 'X-Trace-Id'],
          doc.createNode({ description: 'A trace ID, when the gateway adds one.', required: false, schema: { type: 'string' } }),
        );
        const description = existing(doc, [...stopV21, 'description']);
        doc.setIn(description, `${String(doc.getIn(description))}\nA sentence added to the description.\n`);
      });
      const run = await check([file]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^breaking:check: no breaking change in .*edit-\d+\.yaml against spec\/released\/[\d.]+\.yaml/);
    });
  });

  // No JVM needed: what the check does when it cannot check.
  it('fails under CI when there is no Java, and only warns, loudly, elsewhere', async () => {
    const noJava = { JAVA_HOME: join(tmpdir(), 'no-such-java') };
    const inCi = await check([], { ...noJava, CI: 'true' });
    expect(inCi.status).toBe(2);
    expect(inCi.stderr).toMatch(/^breaking:check cannot run: (no Java at .*no-such-java\/bin\/java|the npm package specmatic is not installed)/);
    const local = await check([], { ...noJava, CI: '' });
    expect(local.status).toBe(0);
    expect(local.stderr).toMatch(/!! The breaking-change check DID NOT RUN: /);
  });

  it('refuses to compare against an older release than the newest in spec/released/', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'breaking-check-'));
    try {
      const repo = copyOfRepo(scratch, { version: '0.2.0', bundle: specPath, released: ['0.2.0'] });
      const run = await check([], {}, repo);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^breaking:check: spec\/released\/0\.2\.0\.yaml is newer than LAST_RELEASED \(0\.1\.0\): point the check at it/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('refuses a file that does not exist, whatever the tool', async () => {
    const run = await check([join(tmpdir(), 'no-such-openapi.yaml')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^breaking:check: no such file: .*no-such-openapi\.yaml$/m);
  });
});
