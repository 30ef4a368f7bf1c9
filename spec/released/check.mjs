#!/usr/bin/env node
// The breaking-change check: does the contract still serve every client written against the last
// released version? It runs Specmatic's compatibility check (`specmatic compare OLD NEW`, the jar
// that the npm package `specmatic` ships, on Java 17+) offline, and prints what breaks in a few lines.
//
//   node spec/released/check.mjs                 spec/released/<LAST_RELEASED>.yaml vs generated/openapi.yaml
//   node spec/released/check.mjs NEW             the released version vs NEW
//   node spec/released/check.mjs OLD NEW         OLD vs NEW
//   node spec/released/check.mjs --probe         prints the tool and Java it would use (exit 2 if none)
//
// Exit 0: no breaking change. 1: breaking changes, listed on stderr. 2: the check could not run
// (no Java 17+, no jar, a file that does not load, output it cannot read). Without Java or the jar
// outside CI it prints a banner and exits 0, as the project's other optional tools do; with CI set
// it exits 2.
//
// The baseline: spec/released/<version>.yaml is the bundle (generated/openapi.yaml) as it was
// released; LAST_RELEASED names the one to compare against. No version has been published yet:
// 0.1.0 is the bundle of the day the check was added. To cut a release, copy the bundle to
// spec/released/<version>.yaml and set LAST_RELEASED (CHANGELOG.md, "Version policy"); the check
// refuses to run while a newer file is there. A deliberate break is a new compatibility line: once
// package.json's version is a later major (a later minor while 0.x) than LAST_RELEASED, the
// breaking changes are still listed, for CHANGELOG.md, but exit 0.
//
// `specmatic compare` is marked deprecated in favour of `backward-compatibility-check`, which
// compares git branches and also fails on this contract's named header examples (Specmatic pairs
// request and response examples by name); `compare` is in the pinned 2.55.1. Specmatic reports
// usage to its Insights server unless telemetry is disabled: both switches are set below.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The version whose contract every later one must stay compatible with. */
export const LAST_RELEASED = '0.1.0';

const releasedDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(releasedDir, '../..');
const timeoutMs = 300_000;
// A short run: the JIT's second tier (C2) and a parallel GC cost more than they save (8-10 s -> 5-6 s here).
const jvmOptions = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Dspecmatic.disable.telemetry=true', '-Djava.awt.headless=true'];

const show = (file) => (relative(repoRoot, file).startsWith('..') ? file : relative(repoRoot, file));
const semver = (v) => v.split(/[-+]/)[0].split('.').map(Number);
/** Versions on one line must stay compatible: the same major, or the same minor while the major is 0. */
const compatibilityLine = (v) => (semver(v)[0] === 0 ? `0.${semver(v)[1]}` : `${semver(v)[0]}`);
const newer = (a, b) => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
};

/** The Java and the jar the check runs, or why it cannot run. */
export function findTool() {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  let jar;
  let version;
  try {
    const manifest = createRequire(import.meta.url).resolve('specmatic/package.json');
    jar = join(dirname(manifest), 'specmatic.jar');
    version = JSON.parse(readFileSync(manifest, 'utf8')).version;
  } catch {
    return { missing: 'the npm package specmatic is not installed (it is a devDependency: run npm ci)' };
  }
  if (!existsSync(jar)) return { missing: `${jar} is missing (reinstall the npm package specmatic)` };
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error) return { missing: `no Java at ${java} (${probe.error.code ?? probe.error.message}): install Java 17+, e.g. Debian's openjdk-17-jre-headless` };
  const javaVersion = /version "([^"]+)"/.exec(probe.stderr)?.[1] ?? '?';
  const major = Number(/^(?:1\.)?(\d+)/.exec(javaVersion)?.[1]);
  if (!(major >= 17)) return { missing: `${java} is Java ${javaVersion}; Specmatic needs Java 17+` };
  return { java, jar, version, javaVersion };
}

/** Specmatic's path `/v2/(project_id:ProjectId)/servers` as in the document: `/v2/{project_id}/servers`. */
const openApiPath = (path) => path.replace(/\(([^:()]+):[^()]*\)/g, '{$1}');
const statusName = (status) => (status === '1000' ? 'default' : status);

function loadOperations(file) {
  const doc = parse(readFileSync(file, 'utf8'));
  const operations = new Map();
  for (const [path, item] of Object.entries(doc?.paths ?? {})) {
    for (const [method, operation] of Object.entries(item ?? {})) {
      if (operation && typeof operation === 'object' && 'responses' in operation) {
        operations.set(`${method.toUpperCase()} ${path}`, operation.operationId);
      }
    }
  }
  return operations;
}

/**
 * Specmatic's report, one block per scenario (operation x response status):
 *   API: POST /v2.1/(project_id:ProjectId)/servers/(server_id:ServerId)/action -> 409
 *         This API exists in the old contract but not in the new contract (old.yaml:243:9)
 * or, per mismatch,
 *     >> REQUEST.BODY.os-stop.type (new.yaml:1238:9)
 *         R1002: Value mismatch
 *         Documentation: ... / Summary: ...
 *         This is ("SOFT") in the new specification, but "HARD" in the old specification
 */
export function parseReport(output) {
  const findings = [];
  let current;
  let mismatch;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    const api = /^API: (\S+) (\S+) -> (\d+)$/.exec(line);
    if (api) {
      current = { operation: `${api[1]} ${openApiPath(api[2])}`, status: statusName(api[3]) };
      mismatch = undefined;
      continue;
    }
    if (!current) continue;
    if (/^In scenario "|^The newer contract is/.test(line)) {
      current = undefined;
      continue;
    }
    if (line.startsWith('This API exists in the old contract but not in the new contract')) {
      findings.push({ ...current, removed: true });
      continue;
    }
    const at = /^>> (\S+)/.exec(line);
    if (at) {
      mismatch = { ...current, at: at[1], rule: '', details: [] };
      findings.push(mismatch);
      continue;
    }
    if (!mismatch || !line || /^(Documentation|Summary):/.test(line)) continue;
    if (/^R\d{4}: /.test(line)) mismatch.rule = line;
    else mismatch.details.push(line);
  }
  return findings;
}

/** Where a mismatch is, in words: `REQUEST.PARAMETERS.HEADER.X-Reason` -> `request header X-Reason`. */
function place(at) {
  const [side, kind, ...rest] = at.split('.');
  const where = side === 'REQUEST' ? 'request' : side === 'RESPONSE' ? 'response' : side.toLowerCase();
  if (kind === 'BODY') return rest.length ? `${where} body ${rest.join('.')}` : `${where} body`;
  if (kind === 'PARAMETERS' && rest.length) return `${where} ${rest[0].toLowerCase()} ${rest.slice(1).join('.')}`;
  if (kind === 'HEADER' || kind === 'HEADERS') return `${where} header ${rest.join('.')}`;
  return `${where} ${[kind, ...rest].filter(Boolean).join('.')}`;
}

/** A long `This is ("A" or "B" ...) in the new specification, but (...) in the old` as the values that differ. */
function compact(detail) {
  const quoted = (text) => [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
  const lists = /^This is \((.*)\) in the new specification(?: response)?,? but \(?(.*?)\)? in the old specification$/.exec(detail);
  if (lists) {
    const [now, before] = [quoted(lists[1]), quoted(lists[2])];
    if (now.length + before.length > 6) {
      const show = (values) => values.map((v) => `"${v}"`).join(', ');
      const added = now.filter((v) => !before.includes(v));
      const removed = before.filter((v) => !now.includes(v));
      return [added.length && `values added: ${show(added)}`, removed.length && `values removed: ${show(removed)}`].filter(Boolean).join('; ') || detail;
    }
  }
  return detail.length > 300 ? `${detail.slice(0, 299)}…` : detail;
}

/** One line per operation and change, with the removed statuses of an operation on one line. */
export function summarize(findings, oldOperations, newOperations) {
  const lines = new Map();
  const label = (operation) => {
    const name = oldOperations.get(operation) ?? newOperations.get(operation);
    return name ? `${name} (${operation})` : operation;
  };
  for (const f of findings) {
    if (f.removed && !newOperations.has(f.operation)) {
      lines.set(`${f.operation} removed`, `${label(f.operation)}: operation removed`);
    } else if (f.removed) {
      const key = `${f.operation} statuses`;
      const statuses = lines.get(key) ?? [];
      if (!statuses.includes(f.status)) statuses.push(f.status);
      lines.set(key, statuses);
    } else {
      const why = [f.rule, compact(f.details.join(' '))].filter(Boolean).join(': ');
      const response = f.at.startsWith('RESPONSE') ? ` (response ${f.status})` : '';
      lines.set(`${f.operation} ${f.at}${response} ${why}`, `${label(f.operation)}: ${place(f.at)}${response}: ${why}`);
    }
  }
  return [...lines].map(([key, value]) =>
    Array.isArray(value)
      ? `${label(key.replace(/ statuses$/, ''))}: response${value.length > 1 ? 's' : ''} ${value.join(', ')} removed`
      : value,
  );
}

/** The lines of the tool's output worth showing when it did not produce a verdict. */
const tail = (output) =>
  output
    .split('\n')
    .filter((l) => l.trim() && !/^WARNING: Ignoring|^\s*- |^\[Compatibility Check\] Executing|^Specmatic Version|^Using Specmatic|^Generating /.test(l))
    .slice(-15)
    .map((l) => `  ${l.trimEnd()}`)
    .join('\n');

function runSpecmatic(tool, oldFile, newFile) {
  const cwd = mkdtempSync(join(tmpdir(), 'breaking-check-')); // Specmatic writes an HTML report under ./build
  return new Promise((done) => {
    const child = spawn(tool.java, [...jvmOptions, '-jar', tool.jar, 'compare', oldFile, newFile], {
      cwd,
      env: { ...process.env, SPECMATIC_DISABLE_TELEMETRY: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(no verdict within ${timeoutMs / 1000} s: killed)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (code, error) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      done({ code, output, error });
    };
    child.once('error', (error) => finish(null, error));
    child.once('close', (code, signal) => finish(code ?? signal));
  });
}

async function main(args) {
  const tool = findTool();
  if (args[0] === '--probe') {
    if (tool.missing) {
      console.error(`breaking:check cannot run: ${tool.missing}`);
      return 2;
    }
    console.log(`Specmatic ${tool.version} (${show(tool.jar)}) on Java ${tool.javaVersion} (${tool.java})`);
    return 0;
  }
  if (args.length > 2 || args.some((a) => a.startsWith('-'))) {
    console.error('usage: node spec/released/check.mjs [[OLD] NEW] | --probe');
    return 2;
  }
  const released = readdirSync(releasedDir)
    .map((f) => /^(\d+\.\d+\.\d+)\.yaml$/.exec(f)?.[1])
    .filter(Boolean);
  const ahead = released.filter((v) => newer(v, LAST_RELEASED));
  if (ahead.length) {
    console.error(`breaking:check: spec/released/${ahead[0]}.yaml is newer than LAST_RELEASED (${LAST_RELEASED}): point the check at it (spec/released/check.mjs)`);
    return 2;
  }
  const baseline = join(releasedDir, `${LAST_RELEASED}.yaml`);
  // package.json's version on a later compatibility line (major; minor while 0.x) may break the released one.
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const mayBreak = args.length < 2 && newer(version, LAST_RELEASED) && compatibilityLine(version) !== compatibilityLine(LAST_RELEASED);
  const [oldFile, newFile] = (args.length === 2 ? args : [baseline, args[0] ?? join(repoRoot, 'generated/openapi.yaml')]).map((f) => resolve(f));
  for (const file of [oldFile, newFile]) {
    if (!existsSync(file)) {
      console.error(`breaking:check: no such file: ${file}`);
      return 2;
    }
  }

  if (tool.missing) {
    if (process.env.CI) {
      console.error(`breaking:check cannot run: ${tool.missing}`);
      return 2;
    }
    const bar = '!'.repeat(78);
    console.error(`${bar}\n!! The breaking-change check DID NOT RUN: ${tool.missing}.\n!! CI runs it (.ci/run installs openjdk-17-jre-headless).\n${bar}`);
    return 0;
  }

  const started = performance.now();
  const run = await runSpecmatic(tool, oldFile, newFile);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const against = `${show(newFile)} against ${show(oldFile)}`;
  if (run.error || typeof run.code !== 'number') {
    console.error(`breaking:check could not run Specmatic (${run.error?.message ?? `ended by ${run.code}`}):\n${tail(run.output)}`);
    return 2;
  }
  const compatible = run.output.includes('The newer contract is backward compatible.');
  const incompatible = run.output.includes('The newer contract is not backward compatible.');
  if (run.code === 0 && compatible) {
    console.log(`breaking:check: no breaking change in ${against} (Specmatic ${tool.version}, ${seconds} s)`);
    return 0;
  }
  if (run.code !== 0 && incompatible) {
    const lines = summarize(parseReport(run.output), loadOperations(oldFile), loadOperations(newFile));
    const print = mayBreak ? console.log : console.error;
    print(`breaking:check: ${against}: breaking changes (Specmatic ${tool.version}, ${seconds} s):`);
    for (const line of lines.length ? lines : ['(Specmatic gave no details:)', tail(run.output)]) print(`  - ${line}`);
    if (mayBreak) {
      print(`They are allowed: package.json's ${version} starts a new compatibility line after ${LAST_RELEASED}. List them in CHANGELOG.md.`);
      return 0;
    }
    print(`To break clients of ${LAST_RELEASED}, bump package.json to the next major version (next minor while 0.x) and list the change in CHANGELOG.md (see its "Version policy").`);
    return 1;
  }
  console.error(`breaking:check: Specmatic gave no verdict (exit ${run.code}) for ${against}:\n${tail(run.output)}`);
  return 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
