import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startUntilReady } from './child-process.js';
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
  const args = [serveScript, '--token-seconds', String(tokenSeconds), '--compute-url', computeUrl];
  // Its stdin kept open: serve.py stops when it closes.
  return startUntilReady<KeystoneReady>('Keystone', novaPython, args, { timeoutMs, stdin: 'pipe' });
}
