import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startUntilReady } from './child-process.js';

/** Debian's Python, which has python3-nova (a pyenv python3 may come first in PATH). */
export const novaPython = process.env.NOVA_PYTHON ?? '/usr/bin/python3';
const serveScript = fileURLToPath(new URL('../nova/serve.py', import.meta.url));

export type NovaAuth = 'noauth2' | 'keystone';

/** What serve.py prints on its READY line. */
export interface NovaReady {
  url: string;
  auth: NovaAuth;
  project_id: string;
  member_token: string;
  admin_token: string;
  other_project_id: string;
  other_token: string;
  server_ids: string[];
  server_id: string;
  image_id: string;
  flavor_id: string;
  max_microversion: string;
}

export interface RunningNova extends NovaReady {
  stop(): Promise<void>;
}

/** Why a real Nova cannot run here, or `undefined` when it can. */
export function novaMissing(): string | undefined {
  const probe = spawnSync(novaPython, ['-c', 'import nova.tests.functional.integrated_helpers, placement, wsgi_intercept, oslotest'], { encoding: 'utf8' });
  if (probe.error) return `${novaPython} cannot run: ${probe.error.message}`;
  if (probe.status !== 0) return `${novaPython} lacks Nova's test harness: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

/**
 * Starts a real Nova (serve.py) on 127.0.0.1 and resolves with its READY line once `servers`
 * servers are ACTIVE (as many as `names` names if more, booted in that order with those names; the
 * others are server-1, server-2, ...). Its stderr is kept, to explain a failed start.
 */
export function startNova(options: { auth?: NovaAuth; servers?: number; names?: string[]; timeoutMs?: number } = {}): Promise<RunningNova> {
  const { auth = 'noauth2', servers = 1, names = [], timeoutMs = 240_000 } = options;
  const args = [serveScript, '--auth', auth, '--servers', String(servers), ...(names.length > 0 ? ['--names', JSON.stringify(names)] : [])];
  return startUntilReady<NovaReady>('Nova', novaPython, args, { timeoutMs });
}
