import type { Writable } from 'node:stream';
import type { StopServerResult } from '../client.js';
import { EcsApiError } from '../errors.js';
import type { Redactor } from '../errors/redaction.js';
import { EcsInputError } from '../input-error.js';
import { EcsWaitError, type StopProgress } from '../wait.js';
import { UsageError } from './args.js';
import type { Settings } from './environment.js';
import { envNames, NAME } from './names.js';

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

// ---------------------------------------------------------------------------------------------
// Output hygiene

/** Text from the server or the runtime, made safe for a terminal: no control characters, bounded. */
function terminalSafe(text: string, max = 2000): string {
  const clean = text.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]+/gu, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * JSON.stringify escapes C0 controls but not DEL, C1 controls (U+009B is a CSI to some
 * terminals), line and paragraph separators or bidirectional overrides: escaped here too, so
 * that the line is safe on a terminal and still parses to the same value.
 */
const jsonUnsafe = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const terminalSafeJson = (text: string) => text.replace(jsonUnsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A write that failed because its reader went away (a closed pipe). */
const isClosedPipe = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EPIPE';

/** Thrown by our own writes once the output is gone: nothing more is to be written. */
class ClosedPipe extends Error {}

type Printable = (text: string, max?: number) => string;

/**
 * Where a run writes: every line swept for the secrets in use, in text or as one JSON line, and
 * nothing more once a write found its pipe closed (which aborts `closed`).
 */
export class Output {
  /** --json: guessed from the raw command line until it parses, then as parsed. */
  json: boolean;
  private readonly io: CliIo;
  private readonly redactor: Redactor;
  private readonly closed: AbortController;

  /** Redacted before it is cut, so that no part of a secret survives at the cut. */
  readonly printable: Printable = (text, max) => terminalSafe(this.redactor.apply(text), max);

  constructor(io: CliIo, redactor: Redactor, closed: AbortController, json: boolean) {
    this.io = io;
    this.redactor = redactor;
    this.closed = closed;
    this.json = json;
  }

  out(line: string): void {
    this.write(this.io.stdout, line);
  }

  err(line: string): void {
    this.write(this.io.stderr, line);
  }

  emitJson(value: unknown): void {
    this.out(terminalSafeJson(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? this.redactor.apply(v) : v))));
  }

  fail(code: ExitCode, error: Record<string, unknown>, text: string): number {
    if (this.json) this.emitJson({ ok: false, error });
    else this.err(`${NAME}: ${text}`);
    return code;
  }

  usageFailure(field: string, message: string): number {
    const code = this.fail(exitCodes.usage, { kind: 'usage', field, message }, message);
    if (!this.json) this.err(`Try '${NAME} --help' for more information.`);
    return code;
  }

  /** What --wait reports its progress to: only in text mode and on a terminal. */
  progress(): ((p: StopProgress) => void) | undefined {
    const show = this.io.progress;
    if (this.json || show === undefined) return undefined;
    return (p) => {
      const text = progressLine(p, this.printable);
      if (this.closed.signal.aborted) return;
      try {
        show(text);
      } catch (error) {
        // A closed pipe: the aborted signal ends the wait, and run() returns closedPipe.
        if (!isClosedPipe(error)) throw error;
        this.closed.abort();
      }
    };
  }

  private write(sink: (line: string) => void, line: string): void {
    if (this.closed.signal.aborted) throw new ClosedPipe();
    try {
      sink(this.redactor.apply(line));
    } catch (error) {
      if (!isClosedPipe(error)) throw error;
      this.closed.abort();
      throw new ClosedPipe();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reports

export function reportHelp(output: Output): number {
  for (const line of usage.split('\n')) output.out(line);
  return exitCodes.ok;
}

export function reportVersion(output: Output, version: string): number {
  output.out(output.json ? JSON.stringify({ ok: true, version }) : version);
  return exitCodes.ok;
}

export interface Stopped {
  result: StopServerResult;
  apiVersion: string;
  endpoint: string;
  /** With --wait: how long it took. */
  waitedMs: number | undefined;
}

export function reportStopped(output: Output, settings: Settings, { result, apiVersion, endpoint, waitedMs }: Stopped): number {
  const { serverId, type } = settings;
  if (output.json) {
    output.emitJson({
      ok: true,
      serverId,
      status: result.status,
      requestId: result.requestId ?? null,
      alreadyStopped: result.alreadyStopped,
      apiVersion,
      endpoint,
      ...(type !== undefined && { type }),
      ...(result.server && { serverStatus: result.server.status, waitedMs }),
    });
    return exitCodes.ok;
  }
  const request = result.requestId === undefined ? '' : `, request ${output.printable(result.requestId, 200)}`;
  output.out(
    result.alreadyStopped
      ? `Server ${serverId} was already stopped (HTTP ${result.status}${request})`
      : `Stop accepted for server ${serverId} (HTTP ${result.status}${request})`,
  );
  if (result.server) output.out(`Server ${serverId} is ${output.printable(result.server.status, 40)} after ${seconds(waitedMs ?? 0)}`);
  return exitCodes.ok;
}

/** Any failure, by kind; `sources` maps a client option to the flag or variable it came from. */
export function reportFailure(output: Output, error: unknown, sources: Record<string, string>): number {
  const { printable } = output;
  if (error instanceof UsageError) return output.usageFailure(error.field, error.message);
  if (error instanceof EcsInputError) {
    const field = sources[error.field] ?? error.field;
    const problem = error.message.startsWith(`${error.field} `) ? error.message.slice(error.field.length + 1) : error.message;
    return output.usageFailure(field, `${field} ${problem}`);
  }
  if (error instanceof EcsApiError) return reportApiError(output, error);
  if (error instanceof EcsWaitError) {
    const status = error.server?.status ?? null;
    return output.fail(
      exitCodes.wait,
      { kind: 'wait', reason: error.reason, serverId: error.serverId, serverStatus: status, message: error.message },
      printable(error.message),
    );
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return output.fail(exitCodes.unexpected, { kind: 'unexpected', message: detail }, `unexpected error: ${printable(detail)}`);
}

function reportApiError(output: Output, error: EcsApiError): number {
  const { printable } = output;
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
    return output.fail(exitCodes.api, details, `${head}: ${printable(error.message)}${tail}`);
  }
  if (error.kind === 'network' || error.kind === 'timeout') {
    return output.fail(exitCodes.network, details, `${printable(error.message)}${tail}`);
  }
  return output.fail(exitCodes.unexpected, details, `${printable(error.message)}${tail}`);
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

function progressLine(p: StopProgress, printable: Printable): string {
  const task = p.taskState ? `, task ${p.taskState}` : '';
  return `server ${p.serverId}: ${printable(String(p.status), 40)}${printable(task, 60)}, ${seconds(p.elapsedMs)}`;
}

// ---------------------------------------------------------------------------------------------
// Real streams

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
