/**
 * The servers named on the command line: an argument that is a UUID is a server ID, anything else
 * a server name, resolved (before anything is stopped) to exactly one server.
 */
import type { EcsClient } from '../client.js';
import { checkId, patterns } from '../validate.js';
import { UsageError } from './args.js';

export interface Target {
  /** 1-based position on the command line, for messages. */
  position: number;
  /** The server ID given, or found for the name. */
  serverId?: string;
  /** The name given, when the argument is not an ID. */
  name?: string;
}

/** A resolved target: its server ID is known. */
export type Resolved = Target & { serverId: string };

const looksLikeUuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * An argument with 20 or more letters and digits in a row, both kinds among them, has an AK's, an
 * SK's or a token's shape: it is refused, unshown and unsent, rather than looked up as a name
 * (a server with such a name is stopped by its ID).
 */
const credentialShaped = (text: string) =>
  (text.match(/[A-Za-z0-9+/=]{20,}/g) ?? []).some((run) => /[0-9]/.test(run) && /[A-Za-z]/.test(run));


export function targetsFrom(positionals: string[]): Target[] {
  if (positionals.length === 0) throw new UsageError('server-id', 'server-id is missing: give the ID or name of each server to stop');
  return positionals.map((argument, index) => {
    const position = index + 1;
    if (looksLikeUuid.test(argument)) return { position, serverId: checkId('server-id', argument, patterns.ServerId, 'a UUID') };
    if (argument === '' || argument.length > 255) {
      throw new UsageError('server-id', `argument ${position} must be a server ID (a UUID) or a server name of 1 to 255 characters`);
    }
    if (/\p{Cc}/u.test(argument)) throw new UsageError('server-id', `argument ${position} must not contain control characters`);
    if (credentialShaped(argument)) {
      throw new UsageError('server-id', `argument ${position} is not a server ID and has a credential's shape (not shown, in case it is a secret): give the server's ID`);
    }
    return { position, name: argument };
  });
}

/**
 * Each name resolved to its one server (a missing or ambiguous name is a UsageError: nothing is
 * stopped), and no server named twice.
 */
export async function resolveTargets(
  targets: Target[],
  client: Pick<EcsClient, 'findServersByName'>,
  signal: AbortSignal,
  printable: (text: string, max?: number) => string,
): Promise<Resolved[]> {
  const found = new Map<string, string[]>();
  for (const target of targets) {
    if (target.name === undefined || found.has(target.name)) continue;
    found.set(target.name, (await client.findServersByName(target.name, { signal })).map((server) => server.id));
  }
  const seen = new Map<string, Target>();
  return targets.map((target) => {
    let serverId = target.serverId;
    if (target.name !== undefined) {
      const ids = found.get(target.name)!;
      const name = `the name '${printable(target.name, 255)}' (argument ${target.position})`;
      if (ids.length === 0) throw new UsageError('server-id', `no server has ${name}; nothing was stopped`);
      if (ids.length > 1) throw new UsageError('server-id', `${ids.length} servers have ${name}: give the ID instead (${ids.join(', ')}); nothing was stopped`);
      serverId = ids[0]!;
    }
    const earlier = seen.get(serverId!.toLowerCase());
    if (earlier) throw new UsageError('server-id', `arguments ${earlier.position} and ${target.position} name the same server (${serverId}): list each server once`);
    seen.set(serverId!.toLowerCase(), target);
    return { ...target, serverId: serverId! };
  });
}
