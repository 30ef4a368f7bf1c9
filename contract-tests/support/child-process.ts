import type { ChildProcess } from 'node:child_process';

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
