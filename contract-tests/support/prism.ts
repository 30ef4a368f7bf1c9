import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ownChild } from './child-process.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const specPath = fileURLToPath(new URL('../../generated/openapi.yaml', import.meta.url));

const prismBin = createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');

export interface RunningPrism {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Prism on 127.0.0.1 with a port the OS picks, resolving once it prints the URL it
 * listens on. `args` are what follows `prism`, e.g. `['mock', specPath, '--errors']`.
 */
export function startPrism(args: string[], { timeoutMs = 30_000 } = {}): Promise<RunningPrism> {
  const child = spawn(process.execPath, [prismBin, ...args, '-h', '127.0.0.1', '-p', '0'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const owned = ownChild(child, 3_000);

  let output = '';
  return new Promise<RunningPrism>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Prism did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        // Keep draining output so Prism never blocks on a full pipe.
        resolve({ url: match[1], stop: owned.stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`Prism exited with code ${code}:\n${output}`)));

    function fail(error: Error) {
      clearTimeout(timer);
      void owned.stop();
      reject(error);
    }
  });
}
