/**
 * The `ecs-stop` CLI as a real program, for tests that need its process (closed pipes, its real
 * streams): the CLI's own source, each file of src/ (subdirectories included) transpiled on its
 * own into a scratch directory, the way vitest runs it in-process, beside a package.json and the
 * project's node_modules. No type check, so a type error elsewhere does not stop it; and it
 * neither depends on nor races an `npm run build` of dist/ by another test.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../support/prism.js';

export interface CliProgram {
  /** The program's entry point, `cli.js`. */
  cli: string;
  remove(): void;
}

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

export function buildCliProgram(): CliProgram {
  const scratch = mkdtempSync(join(tmpdir(), 'ecs-stop-program-'));
  writeFileSync(join(scratch, 'package.json'), '{"type": "module"}\n');
  symlinkSync(join(repoRoot, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  const src = join(repoRoot, 'src');
  for (const file of sources(src)) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const out = join(scratch, relative(src, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  return { cli: join(scratch, 'cli.js'), remove: () => rmSync(scratch, { recursive: true, force: true }) };
}

export interface ProgramRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with `argv` and only `env` (and PATH). A stream named in `closed` has no reader:
 * the parent's end of its pipe is closed before the child starts, so the child's first write
 * there fails with EPIPE.
 */
export function runCli(program: CliProgram, argv: string[], env: Record<string, string | undefined> = {}, closed?: 'stdout' | 'stderr'): Promise<ProgramRun> {
  const child = spawn(process.execPath, [program.cli, ...argv], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (closed) child[closed].destroy();
  const run: ProgramRun = { code: null, signal: null, stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    if (stream === closed) continue;
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk: string) => (run[stream] += chunk));
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ ...run, code, signal }));
  });
}
