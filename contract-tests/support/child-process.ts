import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Ties a started server process to this one: killed if this process exits first, and `stop()`
 * asks it to end (SIGTERM), then kills it after `graceMs`.
 */
export function ownChild(child: ChildProcess, graceMs: number): { stop(): Promise<void> } {
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

/**
 * Starts `command args` and resolves, with `stop()`, once it prints a line `READY {json}` on stdout;
 * rejects with its stderr's end when it exits first or takes longer than `timeoutMs`. `name` says
 * what was started, in those messages.
 */
export function startUntilReady<T>(
  name: string,
  command: string,
  args: string[],
  { timeoutMs, stdin = 'ignore' }: { timeoutMs: number; stdin?: 'ignore' | 'pipe' },
): Promise<T & { stop(): Promise<void> }> {
  const child = spawn(command, args, { stdio: [stdin, 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  const owned = ownChild(child, 15_000);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} was not ready within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^READY (.+)$/m.exec(stdout)?.[1];
      if (!line) return;
      clearTimeout(timer);
      resolve({ ...(JSON.parse(line) as T), stop: owned.stop });
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`${name} exited (${signal ?? code}) before it was ready`)));

    function fail(error: Error) {
      clearTimeout(timer);
      void owned.stop();
      reject(new Error(`${error.message}\n--- ${args[0]} stderr ---\n${stderr}`));
    }
  });
}

/** Runs `command args` to its end, asynchronously (a server in this process can answer it), with its output. */
export function runToEnd(command: string, args: string[], options: SpawnOptions): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
