import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { coverageReport } from './coverage.js';
import type { Exchange } from './exchanges.js';
import { specPath, startPrism, type RunningPrism } from './prism.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `mock`, or `endpoint` when ECS_ENDPOINT names a real service. */
    target: 'mock' | 'endpoint';
    /** Where requests go: the Prism mock, or the endpoint itself. */
    targetUrl: string;
    runDir: string;
  }
}

/**
 * Starts the contract target for the whole run and always stops it: a Prism mock of
 * generated/openapi.yaml by default. When ECS_ENDPOINT is set the tests talk to that endpoint directly
 * and judge each exchange themselves. At the end it prints which declared (operation, status)
 * pairs were exercised, the notes on a lenient endpoint, and one summary line naming the target.
 */
export default async function setup(project: TestProject) {
  const runDir = mkdtempSync(join(tmpdir(), 'ecs-contract-'));
  const endpoint = process.env.ECS_ENDPOINT;
  const target = endpoint ? 'endpoint' : 'mock';
  const running: RunningPrism[] = [];
  const stopAll = () => Promise.all(running.map((prism) => prism.stop()));
  try {
    if (!endpoint) running.push(await startPrism(['mock', specPath, '--errors']));
  } catch (error) {
    await stopAll();
    throw error;
  }
  project.provide('target', target);
  project.provide('targetUrl', endpoint ?? running[0]!.url);
  project.provide('runDir', runDir);

  const stopOnSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  return async () => {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await stopAll();
    const exchanges = readExchanges(join(runDir, 'exchanges.jsonl'));
    const notes = readLines(join(runDir, 'notes.txt'));
    rmSync(runDir, { recursive: true, force: true });
    const report = coverageReport(exchanges);
    console.log(`\n${report.table}`);
    const counts = countTests(project);
    const profile = process.env.ECS_CONTRACT_PROFILE ?? 'huawei';
    const where = endpoint ? `endpoint ${endpoint} (${profile} profile)` : 'prism mock of generated/openapi.yaml';
    if (notes.length > 0) {
      console.log(`\nnotes: the endpoint is more lenient than the contract (not a breach):`);
      for (const note of [...new Set(notes)]) console.log(`  - ${note}`);
    }
    console.log(`\ncontract checks against the ${where}:`);
    console.log(`${target}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    // A full run against the mock must exercise every declared status (a filtered run only reports).
    const fullRun = counts.skipped === 0 && counts.files === (await project.globTestFiles()).testFiles.length;
    if (target === 'mock' && fullRun && report.missing.length > 0) {
      console.error(`FAIL declared statuses never exercised: ${report.missing.join(', ')}`);
      process.exitCode = 1;
    }
  };
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function readExchanges(file: string): Exchange[] {
  return readLines(file).map((line) => JSON.parse(line) as Exchange);
}

interface Task {
  type: string;
  mode?: string;
  result?: { state?: string };
  tasks?: Task[];
}

function countTests(project: TestProject) {
  const counts = { passed: 0, failed: 0, skipped: 0, files: 0 };
  const visit = (task: Task) => {
    if (task.type === 'test') {
      const state = task.result?.state;
      if (state === 'pass') counts.passed++;
      else if (state === 'fail') counts.failed++;
      else counts.skipped++;
    }
    task.tasks?.forEach(visit);
  };
  for (const file of project.vitest.state.getFiles()) {
    if (file.projectName !== project.name) continue;
    counts.files++;
    const failedBefore = counts.failed;
    visit(file as Task);
    // A file that failed outside its tests (an import, a hook) counts as one failure.
    if (file.result?.state === 'fail' && counts.failed === failedBefore) counts.failed++;
  }
  return counts;
}
