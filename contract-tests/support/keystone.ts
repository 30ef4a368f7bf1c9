import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ownChild } from './child-process.js';
import { novaPython } from './nova.js';

const serveScript = fileURLToPath(new URL('../keystone/serve.py', import.meta.url));

/** What keystone/serve.py prints on its READY line. */
export interface KeystoneReady {
  auth_url: string;
  region: string;
  username: string;
  user_id: string;
  password: string;
  user_domain_name: string;
  project_name: string;
  project_id: string;
  project_domain_name: string;
  application_credential_id: string;
  application_credential_secret: string;
  token_seconds: number;
}

export interface RunningKeystone extends KeystoneReady {
  stop(): Promise<void>;
}

/** Why a real Keystone cannot run here, or `undefined` when it can. */
export function keystoneMissing(): string | undefined {
  const probe = spawnSync(novaPython, ['-c', 'import keystone.server.wsgi'], { encoding: 'utf8' });
  if (probe.error) return `${novaPython} cannot run: ${probe.error.message}`;
  if (probe.status !== 0) return `${novaPython} lacks Keystone (Debian python3-keystone): ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

/**
 * Starts a real Keystone (keystone/serve.py) on 127.0.0.1, its tokens living `tokenSeconds`, its
 * catalog's compute endpoint `computeUrl` (with `%(project_id)s`), and resolves with its READY line.
 */
export function startKeystone(options: { tokenSeconds?: number; computeUrl?: string; timeoutMs?: number } = {}): Promise<RunningKeystone> {
  const { tokenSeconds = 3600, computeUrl = 'http://127.0.0.1:9/v2.1/%(project_id)s', timeoutMs = 180_000 } = options;
  const child = spawn(novaPython, [serveScript, '--token-seconds', String(tokenSeconds), '--compute-url', computeUrl], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const owned = ownChild(child, 15_000);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Keystone was not ready within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^READY (.+)$/m.exec(stdout)?.[1];
      if (!line) return;
      clearTimeout(timer);
      resolve({ ...(JSON.parse(line) as KeystoneReady), stop: owned.stop });
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`Keystone exited (${signal ?? code}) before it was ready`)));

    function fail(error: Error) {
      clearTimeout(timer);
      void owned.stop();
      reject(new Error(`${error.message}\n--- keystone/serve.py stderr ---\n${stderr}`));
    }
  });
}
