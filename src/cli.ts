#!/usr/bin/env node
/**
 * `ecs-stop`: asks Huawei Cloud ECS to stop one server (the Nova-compatible `os-stop` action).
 *
 * Credentials come from the environment only, never from flags, and no output ever carries a
 * secret: our own messages never quote a credential or any command-line value (nor an unknown
 * option's name, unless it cannot be a secret: see plausibleOptionName), and every line written
 * is also swept for the secrets in use (token, SK, security token, request signature). A secret
 * pasted on the command line is not one in use: only echoing nothing the user typed keeps it out.
 */
import { realpathSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { akskAuth, tokenAuth, type EcsAuth } from './auth.js';
import { createEcsClient, packageVersion, type EcsClientOptions } from './client.js';
import { EcsApiError } from './errors.js';
import { EcsInputError } from './input-error.js';
import { apiVersions, checkServerId, stopTypes, type ApiVersion, type StopType } from './validate.js';
import { EcsWaitError, type StopProgress } from './wait.js';

export const exitCodes = {
  /** The stop request was accepted (HTTP 202 or 204). */
  ok: 0,
  /** Anything unexpected. */
  unexpected: 1,
  /** Bad command line, environment or input; nothing was sent. */
  usage: 2,
  /** The API answered with an error status. */
  api: 3,
  /** No answer: network error or timeout. */
  network: 4,
  /** With --wait: the stop was accepted but the server did not reach SHUTOFF. */
  wait: 5,
  /**
   * stdout or stderr was closed early (EPIPE, as in `ecs-stop --help | head -c0`): 128 + SIGPIPE,
   * which is how a shell reports a program ended by writing to a closed pipe, so that
   * `set -o pipefail` sees ecs-stop as it sees `cat` or `yes`. Nothing more is written, no stack
   * trace is printed, and a --wait in progress is given up (a stop already sent stays sent).
   */
  closedPipe: 141,
} as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

export interface CliIo {
  /** Writes one line. A write that throws an error with `code: 'EPIPE'` means a closed pipe. */
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  fetch?: (req: Request) => Promise<Response>;
  /** Where --wait shows its progress line; given only when that is a terminal. */
  progress?: (text: string) => void;
}

const NAME = 'ecs-stop';

export const envNames = {
  ak: 'HUAWEICLOUD_SDK_AK',
  sk: 'HUAWEICLOUD_SDK_SK',
  securityToken: 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  token: 'ECS_AUTH_TOKEN',
  projectId: 'HUAWEICLOUD_SDK_PROJECT_ID',
  endpoint: 'ECS_ENDPOINT',
  region: 'HUAWEICLOUD_SDK_REGION',
} as const;

export const usage = `Usage: ${NAME} <server-id> [options]

Asks Huawei Cloud ECS to stop a server (POST /v2.1/{project_id}/servers/{server_id}/action
with {"os-stop": ...}). The stop is asynchronous: success means the request was accepted;
read the server until its status is SHUTOFF to confirm.

Arguments:
  <server-id>             the server's ID, a UUID

Options:
  --type SOFT|HARD        SOFT (graceful, the server's default) or HARD (power off)
  --api-version v2|v2.1   API version in the path (default v2.1)
  --endpoint URL          the ECS origin, such as https://ecs.cn-north-4.myhuaweicloud.com
  --region R              a region ID such as cn-north-4, for its standard endpoint
  --project-id P          the project ID (32 hexadecimal characters)
  --microversion X.Y      compute microversion such as 2.60, or latest (v2.1 only)
  --timeout-ms N          timeout per attempt in milliseconds (default 30000)
  --wait                  after the stop is accepted, read the server until it is SHUTOFF
                          (a progress line shows state and elapsed time on a terminal)
  --timeout S             with --wait: give up after S seconds (default 600)
  --ok-if-stopped         a server that is already stopped counts as success (exit 0)
  --json                  print exactly one JSON line on stdout, for success and failure,
                          and nothing on stderr
  -h, --help              print this help
  --version               print the version

Environment (credentials are read from here only; there are no flags for secrets):
  ${envNames.ak}, ${envNames.sk}
                          AK/SK request signing (SDK-HMAC-SHA256)
  ${envNames.securityToken}
                          with temporary AK/SK only
  ${envNames.token}          an IAM token instead of AK/SK (set one kind only)
  ${envNames.projectId}
                          the project ID, when --project-id is not given
  ${envNames.endpoint}            the endpoint, when neither --endpoint nor --region is given
  ${envNames.region}  the region, when none of --endpoint, --region, ${envNames.endpoint} is given
  Empty variables count as unset.

Exit codes:
  ${exitCodes.ok}  the stop request was accepted (HTTP 202 or 204)
  ${exitCodes.usage}  usage error or bad input (flags, server ID, environment); nothing was sent
  ${exitCodes.api}  the API answered with an error (4xx or 5xx)
  ${exitCodes.network}  no answer: network error or timeout
  ${exitCodes.wait}  with --wait: the server went to ERROR, disappeared, or was not SHUTOFF in time
  ${exitCodes.unexpected}  anything unexpected
  ${exitCodes.closedPipe}  stdout or stderr was closed early (a closed pipe, as with | head); nothing more is written`;

const options = {
  type: { type: 'string' },
  'api-version': { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'project-id': { type: 'string' },
  microversion: { type: 'string' },
  'timeout-ms': { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  'ok-if-stopped': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** A bad command line or environment; `field` names the flag, argument or variable. */
class UsageError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Output hygiene

/** Replaces every known secret (raw and as JSON would escape it) with `[redacted]`. */
class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // A secret of a few characters cannot be swept without mangling everything else.
    if (secret === undefined || secret.length < 4) return;
    this.secrets.add(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) this.secrets.add(escaped);
  }

  /** Remembers what the transport actually sent: the token and the request's signature. */
  addFromRequest(request: Request): void {
    this.add(request.headers.get('x-auth-token') ?? undefined);
    this.add(request.headers.get('x-security-token') ?? undefined);
    const authorization = request.headers.get('authorization');
    if (authorization !== null) this.add(/Signature=([^,\s]+)/.exec(authorization)?.[1] ?? authorization);
  }

  apply(text: string): string {
    let result = text;
    // Longest first, so that a secret containing another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join('[redacted]');
    }
    return result;
  }
}

/** Text from the server or the runtime, made safe for a terminal: no control characters, bounded. */
function terminalSafe(text: string, max = 2000): string {
  const clean = text.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]+/gu, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

// ---------------------------------------------------------------------------------------------
// Command line

type Parsed = ReturnType<typeof parseStrict>;

function parseStrict(argv: string[]) {
  return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
}

/**
 * An unknown option's name is only quoted when it cannot be a pasted secret: a plausible option
 * name (short, lowercase letters, digits and dashes) that is either a near miss of a known option
 * (so it is that option's name with a typo or two) or made only of our own words for credentials
 * (`--sk`, `--auth-token`). Anything else, such as a 40-character SK pasted as `--<SK>`, is named
 * by its position only: no part of it is shown, in text or in --json, whether or not the secret
 * is also in the environment (where the output sweep would catch it).
 */
const plausibleOptionName = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const maxShownName = 24;
const credentialWords = new Set([
  'ak', 'sk', 'access', 'secret', 'security', 'key', 'id', 'token', 'auth', 'password', 'passwd', 'pass',
  'credential', 'credentials', 'api', 'iam', 'os', 'sdk', 'huaweicloud', 'x',
]);
const credentialCore = /^(?:ak|sk|secret|token|key|password|passwd|pass|credentials?|auth)$/;

/** `--sk`, `--secret-key`, `--auth-token`: made only of our own words, one of them a credential. */
function isCredentialFlag(name: string): boolean {
  if (name.length > maxShownName) return false;
  const words = name.toLowerCase().split(/[-_]/);
  return words.every((word) => credentialWords.has(word)) && words.some((word) => credentialCore.test(word));
}

/** Optimal string alignment distance (edits, with adjacent transpositions), for short strings. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known long option an unknown name is a near miss of (case and `_` aside), if any. */
function nearMiss(name: string): string | undefined {
  if (name.length > maxShownName) return undefined;
  const typed = name.toLowerCase().replace(/_/g, '-');
  let best: { option: string; distance: number } | undefined;
  for (const option of Object.keys(options)) {
    const distance = editDistance(typed, option);
    if (distance <= (option.length <= 4 ? 1 : 2) && (best === undefined || distance < best.distance)) best = { option, distance };
  }
  return best?.option;
}

/**
 * Why the strict parse failed, worked out from a lenient parse so that Node's message (which
 * may quote the command line) is never shown. Never quotes an option's value, and quotes an
 * unknown option's name only when it cannot be a secret (see plausibleOptionName).
 */
function explainParseFailure(argv: string[]): UsageError {
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const known = Object.hasOwn(options, token.name) ? options[token.name as keyof typeof options] : undefined;
    if (known === undefined) return unknownOption(argv, token);
    const flag = `--${token.name}`;
    if (known.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      return new UsageError(flag, `${flag} needs a value (to pass one starting with '-', write ${flag}=VALUE)`);
    }
    if (known.type === 'boolean' && token.value !== undefined) {
      return new UsageError(flag, `${flag} takes no value`);
    }
  }
  return new UsageError('arguments', 'invalid command line');
}

function unknownOption(argv: string[], token: { name: string; rawName: string; index: number }): UsageError {
  const long = token.rawName.startsWith('--');
  // `-hx...` is one argument of grouped short options, possibly a pasted secret.
  const grouped = !long && (argv[token.index]?.length ?? 0) > 2;
  const hint = isCredentialFlag(token.name)
    ? `; credentials are read from the environment only (${envNames.ak}/${envNames.sk} or ${envNames.token})`
    : '';
  const suggestion = long ? nearMiss(token.name) : undefined;
  const didYouMean = (lead: string) => (suggestion === undefined ? '' : `${lead}did you mean --${suggestion}?`);
  const shown = long
    ? token.name.length <= maxShownName && plausibleOptionName.test(token.name) && (suggestion !== undefined || hint !== '')
    : !grouped && /^[A-Za-z0-9]$/.test(token.name);
  if (shown) {
    return new UsageError(token.rawName, `unknown option '${token.rawName}'${didYouMean(' (')}${suggestion === undefined ? '' : ')'}${hint}`);
  }
  return new UsageError('option', `unknown option in argument ${token.index + 1} (not shown, in case it is a secret)${didYouMean('; ')}${hint}`);
}

/** `--json` as the user meant it, even when the command line does not parse. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

const present = (value: string | undefined): value is string => value !== undefined && value !== '';

interface Settings {
  serverId: string;
  type: StopType | undefined;
  /** With --wait: how long to wait for SHUTOFF. */
  waitTimeoutMs: number | undefined;
  okIfStopped: boolean;
  client: EcsClientOptions;
}

function integerFlag(flag: string, value: string, max: number): number {
  const number = /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= max)) throw new UsageError(flag, `${flag} must be an integer from 1 to ${max}`);
  return number;
}

function settingsFrom(
  values: Parsed['values'],
  positionals: string[],
  environment: NodeJS.ProcessEnv,
  redactor: Redactor,
  sources: Record<string, string>,
): Settings {
  // What the command line says comes first, so that `ecs-stop` alone asks for the server ID.
  if (positionals.length === 0) throw new UsageError('server-id', 'server-id is missing: give the ID of the server to stop');
  if (positionals.length > 1) throw new UsageError('server-id', `takes exactly one server-id, got ${positionals.length} arguments`);
  const serverId = checkServerId(positionals[0], 'server-id');

  let type: StopType | undefined;
  if (values.type !== undefined) {
    const upper = values.type.toUpperCase();
    if (!(stopTypes as readonly string[]).includes(upper)) throw new UsageError('--type', '--type must be SOFT or HARD');
    type = upper as StopType;
  }
  const apiVersion = values['api-version'] ?? 'v2.1';
  if (!(apiVersions as readonly string[]).includes(apiVersion)) {
    throw new UsageError('--api-version', '--api-version must be v2 or v2.1');
  }
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : integerFlag('--timeout-ms', values['timeout-ms'], 2 ** 31 - 1);
  if (values.timeout !== undefined && !values.wait) throw new UsageError('--timeout', '--timeout needs --wait');
  const waitTimeoutMs = !values.wait ? undefined : 1000 * (values.timeout === undefined ? 600 : integerFlag('--timeout', values.timeout, 2_000_000));

  // Credentials: exactly one kind.
  const ak = environment[envNames.ak];
  const sk = environment[envNames.sk];
  const securityToken = environment[envNames.securityToken];
  const token = environment[envNames.token];
  redactor.add(sk);
  redactor.add(securityToken);
  redactor.add(token);
  const hasAkSk = present(ak) || present(sk) || present(securityToken);
  const hasToken = present(token);
  if (hasAkSk && hasToken) {
    throw new UsageError(
      'credentials',
      `both ${envNames.token} and AK/SK (${envNames.ak}, ${envNames.sk}) are set: set one kind of credentials only`,
    );
  }
  let auth: EcsAuth;
  if (hasToken) {
    auth = tokenAuth(token);
  } else if (hasAkSk) {
    if (!present(ak)) throw new UsageError(envNames.ak, `${envNames.ak} is not set (AK/SK signing needs ${envNames.ak} and ${envNames.sk})`);
    if (!present(sk)) throw new UsageError(envNames.sk, `${envNames.sk} is not set (AK/SK signing needs ${envNames.ak} and ${envNames.sk})`);
    auth = akskAuth(present(securityToken) ? { ak, sk, securityToken } : { ak, sk });
  } else {
    throw new UsageError(
      'credentials',
      `no credentials: set ${envNames.ak} and ${envNames.sk} (and ${envNames.securityToken} for temporary ones), or ${envNames.token}`,
    );
  }

  // Project ID: flag, then environment.
  let projectId: string;
  if (values['project-id'] !== undefined) {
    projectId = values['project-id'];
    sources.projectId = '--project-id';
  } else if (present(environment[envNames.projectId])) {
    projectId = environment[envNames.projectId] as string;
    sources.projectId = envNames.projectId;
  } else {
    throw new UsageError('project-id', `project-id is missing: give --project-id or set ${envNames.projectId}`);
  }

  // Endpoint: flags, then ECS_ENDPOINT, then HUAWEICLOUD_SDK_REGION.
  let where: { endpoint: string } | { region: string };
  if (values.endpoint !== undefined && values.region !== undefined) {
    throw new UsageError('--endpoint', 'give --endpoint or --region, not both');
  } else if (values.endpoint !== undefined) {
    where = { endpoint: values.endpoint };
    sources.endpoint = '--endpoint';
  } else if (values.region !== undefined) {
    where = { region: values.region };
    sources.region = '--region';
  } else if (present(environment[envNames.endpoint])) {
    where = { endpoint: environment[envNames.endpoint] as string };
    sources.endpoint = envNames.endpoint;
  } else if (present(environment[envNames.region])) {
    where = { region: environment[envNames.region] as string };
    sources.region = envNames.region;
  } else {
    throw new UsageError(
      'endpoint',
      `endpoint is missing: give --endpoint or --region, or set ${envNames.endpoint} or ${envNames.region}`,
    );
  }

  return {
    serverId,
    type,
    waitTimeoutMs,
    okIfStopped: values['ok-if-stopped'] === true,
    client: {
      ...where,
      projectId,
      auth,
      apiVersion: apiVersion as ApiVersion,
      ...(values.microversion !== undefined && { microversion: values.microversion }),
      ...(timeoutMs !== undefined && { timeoutMs }),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Main

/** A write that failed because its reader went away (a closed pipe). */
const isClosedPipe = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EPIPE';

/** Thrown by our own writes once the output is gone: nothing more is to be written. */
class ClosedPipe extends Error {}

export async function main(argv: string[], environment: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  // Aborted when a write finds its pipe closed: stops a --wait, and everything says no more.
  const closed = new AbortController();
  try {
    return await run(argv, environment, io, closed);
  } catch {
    // Only reached when writing the output itself failed: nothing more to say.
    return closed.signal.aborted ? exitCodes.closedPipe : exitCodes.unexpected;
  }
}

/**
 * JSON.stringify escapes C0 controls but not DEL, C1 controls (U+009B is a CSI to some
 * terminals), line and paragraph separators or bidirectional overrides: escaped here too, so
 * that the line is safe on a terminal and still parses to the same value.
 */
const jsonUnsafe = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const terminalSafeJson = (text: string) => text.replace(jsonUnsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

async function run(argv: string[], environment: NodeJS.ProcessEnv, io: CliIo, closed: AbortController): Promise<number> {
  const redactor = new Redactor();
  // Known before the command line is read, where a pasted secret could otherwise be quoted.
  for (const name of [envNames.sk, envNames.securityToken, envNames.token]) redactor.add(environment[name]);
  // Redacted before it is cut, so that no part of a secret survives at the cut.
  const printable: Printable = (text, max) => terminalSafe(redactor.apply(text), max);
  let json = wantsJson(argv);
  const write = (sink: (line: string) => void, line: string) => {
    if (closed.signal.aborted) throw new ClosedPipe();
    try {
      sink(redactor.apply(line));
    } catch (error) {
      if (!isClosedPipe(error)) throw error;
      closed.abort();
      throw new ClosedPipe();
    }
  };
  const out = (line: string) => write(io.stdout, line);
  const err = (line: string) => write(io.stderr, line);
  const emitJson = (value: unknown) =>
    out(terminalSafeJson(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? redactor.apply(v) : v))));

  const fail = (code: ExitCode, error: Record<string, unknown>, text: string): number => {
    if (json) emitJson({ ok: false, error });
    else err(`${NAME}: ${text}`);
    return code;
  };
  const usageFailure = (field: string, message: string): number => {
    const code = fail(exitCodes.usage, { kind: 'usage', field, message }, message);
    if (!json) err(`Try '${NAME} --help' for more information.`);
    return code;
  };

  // Client option names (as in EcsInputError.field) to the flag or variable they came from.
  const sources: Record<string, string> = {
    serverId: 'server-id',
    type: '--type',
    apiVersion: '--api-version',
    microversion: '--microversion',
    timeoutMs: '--timeout-ms',
    'auth.token': envNames.token,
    'auth.ak': envNames.ak,
    'auth.sk': envNames.sk,
    'auth.securityToken': envNames.securityToken,
  };
  try {
    let parsed: Parsed;
    try {
      parsed = parseStrict(argv);
    } catch {
      throw explainParseFailure(argv);
    }
    const { values, positionals } = parsed;
    json = values.json === true;
    if (values.help) {
      for (const line of usage.split('\n')) out(line);
      return exitCodes.ok;
    }
    if (values.version) {
      out(json ? JSON.stringify({ ok: true, version: packageVersion }) : packageVersion);
      return exitCodes.ok;
    }

    const settings = settingsFrom(values, positionals, environment, redactor, sources);
    const send = io.fetch ?? ((request: Request) => globalThis.fetch(request));
    const client = createEcsClient({
      ...settings.client,
      fetch: (request: Request) => {
        redactor.addFromRequest(request);
        return send(request);
      },
    });
    const started = Date.now();
    const show = io.progress;
    const progress =
      json || show === undefined
        ? undefined
        : (text: string) => {
            if (closed.signal.aborted) return;
            try {
              show(text);
            } catch (error) {
              // A closed pipe: the aborted signal ends the wait, and run() returns closedPipe.
              if (!isClosedPipe(error)) throw error;
              closed.abort();
            }
          };
    const result = await client.stopServer(settings.serverId, {
      // Once the output is gone, waiting on has no one to tell.
      signal: closed.signal,
      ...(settings.type !== undefined && { type: settings.type }),
      ...(settings.okIfStopped && { ifAlreadyStopped: 'ok' as const }),
      ...(settings.waitTimeoutMs !== undefined && {
        wait: {
          timeoutMs: settings.waitTimeoutMs,
          ...(progress && { onProgress: (p: StopProgress) => progress(progressLine(p, printable)) }),
        },
      }),
    });
    const waitedMs = settings.waitTimeoutMs === undefined ? undefined : Date.now() - started;
    if (json) {
      emitJson({
        ok: true,
        serverId: settings.serverId,
        status: result.status,
        requestId: result.requestId ?? null,
        alreadyStopped: result.alreadyStopped,
        apiVersion: client.apiVersion,
        endpoint: client.endpoint,
        ...(settings.type !== undefined && { type: settings.type }),
        ...(result.server && { serverStatus: result.server.status, waitedMs }),
      });
    } else {
      const request = result.requestId === undefined ? '' : `, request ${printable(result.requestId, 200)}`;
      out(
        result.alreadyStopped
          ? `Server ${settings.serverId} was already stopped (HTTP ${result.status}${request})`
          : `Stop accepted for server ${settings.serverId} (HTTP ${result.status}${request})`,
      );
      if (result.server) out(`Server ${settings.serverId} is ${printable(result.server.status, 40)} after ${seconds(waitedMs ?? 0)}`);
    }
    return exitCodes.ok;
  } catch (error) {
    if (closed.signal.aborted) return exitCodes.closedPipe;
    if (error instanceof UsageError) return usageFailure(error.field, error.message);
    if (error instanceof EcsInputError) {
      const field = sources[error.field] ?? error.field;
      const problem = error.message.startsWith(`${error.field} `) ? error.message.slice(error.field.length + 1) : error.message;
      return usageFailure(field, `${field} ${problem}`);
    }
    if (error instanceof EcsApiError) return reportApiError(error, fail, printable);
    if (error instanceof EcsWaitError) {
      const status = error.server?.status ?? null;
      return fail(
        exitCodes.wait,
        { kind: 'wait', reason: error.reason, serverId: error.serverId, serverStatus: status, message: error.message },
        printable(error.message),
      );
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return fail(exitCodes.unexpected, { kind: 'unexpected', message: detail }, `unexpected error: ${printable(detail)}`);
  }
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

type Printable = (text: string, max?: number) => string;

function progressLine(p: StopProgress, printable: Printable): string {
  const task = p.taskState ? `, task ${p.taskState}` : '';
  return `server ${p.serverId}: ${printable(String(p.status), 40)}${printable(task, 60)}, ${seconds(p.elapsedMs)}`;
}

function reportApiError(
  error: EcsApiError,
  fail: (code: ExitCode, error: Record<string, unknown>, text: string) => number,
  printable: Printable,
): number {
  const details = {
    kind: error.kind,
    status: error.status ?? null,
    code: error.code ?? null,
    message: error.message,
    requestId: error.requestId ?? null,
    retryAfter: error.retryAfter ?? null,
  };
  const suffix = [
    error.requestId === undefined ? undefined : `request ${printable(error.requestId, 200)}`,
    error.retryAfter === undefined ? undefined : `retry after ${error.retryAfter} s`,
  ].filter((part) => part !== undefined);
  const tail = suffix.length === 0 ? '' : ` (${suffix.join(', ')})`;
  if (error.status !== undefined) {
    const label = error.code ?? (error.kind === 'http' ? undefined : error.kind);
    const head = `${error.status}${label === undefined ? '' : ` ${printable(label, 100)}`}`;
    return fail(exitCodes.api, details, `${head}: ${printable(error.message)}${tail}`);
  }
  if (error.kind === 'network' || error.kind === 'timeout') {
    return fail(exitCodes.network, details, `${printable(error.message)}${tail}`);
  }
  return fail(exitCodes.unexpected, details, `${printable(error.message)}${tail}`);
}

// ---------------------------------------------------------------------------------------------
// Entry point: only when run as a program (npm's bin is a symlink, hence realpath).

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === pathToFileURL(realpathSync(fileURLToPath(import.meta.url))).href;
  } catch {
    return false;
  }
}

/** The streams a program writes to (process.stdout and process.stderr, or stand-ins in tests). */
export interface ProgramStreams {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

/**
 * The CLI's output on real streams. A write to a closed pipe (EPIPE, on stdout or stderr, in
 * text or --json mode, including the --wait progress line) calls `exit(exitCodes.closedPipe)`
 * at once and writes nothing more: no "Unhandled 'error' event" and no stack trace. Node reports
 * EPIPE on a pipe as an 'error' event after the write returned, hence the listeners; a write
 * that throws (a file, a closed stream) is left to main(), which treats EPIPE the same way.
 * Any other failure of a stream exits 1, with one line on stderr if stderr still works.
 */
export function programIo(streams: ProgramStreams, exit: (code: number) => void): CliIo {
  // Set once a stream failed; every later write throws it, so that main() gives up too (where
  // `exit` returns, as in tests), and nothing is written after it.
  let failure: unknown;
  const end = (error: unknown, code: number) => {
    if (failure !== undefined) return;
    failure = error ?? new Error('output failed');
    exit(code);
  };
  streams.stdout.on('error', (error: unknown) => {
    if (failure !== undefined) return;
    if (!isClosedPipe(error)) {
      const code = (error as { code?: unknown } | null)?.code;
      const detail = typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : '';
      try {
        streams.stderr.write(`${NAME}: cannot write to stdout${detail}\n`);
      } catch {
        // stderr is gone too: the exit code says it.
      }
    }
    end(error, isClosedPipe(error) ? exitCodes.closedPipe : exitCodes.unexpected);
  });
  streams.stderr.on('error', (error: unknown) => end(error, isClosedPipe(error) ? exitCodes.closedPipe : exitCodes.unexpected));

  let progressShown = false;
  const write = (stream: Writable, text: string) => {
    if (failure !== undefined) throw failure;
    stream.write(text);
  };
  const endProgress = () => {
    if (progressShown) write(streams.stderr, '\n');
    progressShown = false;
  };
  return {
    stdout: (line) => {
      endProgress();
      write(streams.stdout, `${line}\n`);
    },
    stderr: (line) => {
      endProgress();
      write(streams.stderr, `${line}\n`);
    },
    // One line, rewritten in place, and only on a terminal.
    ...(streams.stderr.isTTY && {
      progress: (text: string) => {
        progressShown = true;
        write(streams.stderr, `\r\x1b[K${text}`);
      },
    }),
  };
}

if (isEntryPoint()) {
  main(process.argv.slice(2), process.env, programIo(process, (code) => process.exit(code))).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.stderr.write(`${NAME}: unexpected error\n`);
      process.exitCode = exitCodes.unexpected;
    },
  );
}
