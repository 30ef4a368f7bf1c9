import type { Writable } from 'node:stream';
import { EcsApiError } from '../errors/api-error.js';
import { EcsInputError } from '../errors/input-error.js';
import type { Redactor } from '../errors/redaction.js';
import { EcsWaitError } from '../errors/wait-error.js';
import type { StopProgress } from '../nova/server-wait.js';
import type { StopServerResult } from '../nova/servers.js';
import { UsageError } from './args.js';
import type { Settings } from './environment.js';
import type { DryRunServer, Fleet, FleetProgress, FleetServer } from './fleet.js';
import { exitCodes, NAME, type ExitCode } from './names.js';
import { usage } from './usage.js';

export interface CliIo {
  /** Writes one line. A write that throws an error with `code: 'EPIPE'` means a closed pipe. */
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  fetch?: (req: Request) => Promise<Response>;
  /** Where --wait shows its progress line; given only when that is a terminal. */
  progress?: (text: string) => void;
  /** The clock (tests inject one): now, and the pause between batches. */
  clock?: Clock;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Off a terminal, --wait says how it is going on stderr at most this often. */
export const PROGRESS_EVERY_MS = 5_000;

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

  /**
   * What --wait reports its progress to, in text mode only: the progress line on a terminal,
   * otherwise a line on stderr every PROGRESS_EVERY_MS at most.
   */
  progress(now: () => number): ((p: StopProgress) => void) | undefined {
    const show = this.status(now);
    return show && ((p) => show(progressLine(p, this.printable)));
  }

  /**
   * --wait's progress for several servers: on a terminal, a line for each server as it ends and
   * the progress line; otherwise a summary on stderr every PROGRESS_EVERY_MS at most.
   */
  fleetProgress(servers: Pick<FleetServer, 'serverId' | 'name'>[], now: () => number): ((p: FleetProgress) => void) | undefined {
    const show = this.status(now);
    if (!show) return undefined;
    const names = new Map(servers.map((server) => [server.serverId, server.name]));
    const ended = new Set<string>();
    const started = now();
    const label = (id: string) => serverLabel(id, names.get(id), this.printable);
    return (p) => {
      const lines: string[] = [];
      let latest: string;
      if (p.phase === 'job') {
        for (const sub of p.servers) {
          if (sub.status === 'FAIL' && !ended.has(sub.serverId)) {
            ended.add(sub.serverId);
            lines.push(`${label(sub.serverId)}: its part of job ${p.jobId} failed`);
          }
        }
        latest = `job ${p.jobId}: ${this.printable(String(p.status), 40)}, ${seconds(p.elapsedMs)}`;
      } else {
        if ((p.status === 'SHUTOFF' || p.status === 'ERROR') && !ended.has(p.serverId)) {
          ended.add(p.serverId);
          lines.push(`${label(p.serverId)}: ${p.status} after ${seconds(p.elapsedMs)}`);
        }
        latest = progressLine(p, this.printable);
      }
      const summary = `${ended.size} of ${servers.length} servers done, ${seconds(now() - started)}; last: ${latest}`;
      if (this.io.progress) for (const line of lines) this.err(line);
      show(summary);
    };
  }

  /** Shows a status text: in place on a terminal, else as a stderr line at most every PROGRESS_EVERY_MS. */
  private status(now: () => number): ((text: string) => void) | undefined {
    if (this.json) return undefined;
    const show = this.io.progress;
    if (show === undefined) {
      let last = now();
      return (text) => {
        if (now() - last < PROGRESS_EVERY_MS) return;
        last = now();
        this.err(text);
      };
    }
    return (text) => {
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
  novaVersion: string;
  endpoint: string;
  /** With --wait: how long it took. */
  waitedMs: number | undefined;
}

export function reportStopped(output: Output, settings: Settings, serverId: string, { result, novaVersion, endpoint, waitedMs }: Stopped): number {
  const { type } = settings;
  if (output.json) {
    output.emitJson({
      ok: true,
      serverId,
      status: result.status,
      requestId: result.requestId ?? null,
      alreadyStopped: result.alreadyStopped,
      novaVersion,
      // The former name of novaVersion, kept for scripts that read it.
      apiVersion: novaVersion,
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
    return output.usageFailure(field, `${field} ${inCliWords(problem)}`);
  }
  if (error instanceof EcsApiError) return reportApiError(output, error);
  if (error instanceof EcsWaitError) {
    const status = error.server?.status ?? null;
    return output.fail(
      exitCodes.wait,
      { kind: 'wait', reason: error.reason, serverId: error.serverId, serverStatus: status, message: error.message, stopAccepted: true },
      `${printable(error.message)} (the stop itself was accepted)`,
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

/** The library's option names in a message, as the CLI's flags. */
const cliWords: [RegExp, string][] = [
  [/\ballowInsecureHttp: true\b/g, '--allow-insecure-http'],
  [/\bnovaVersion 'v2\.1'/g, '--nova-version v2.1'],
  [/\bgive the endpoint instead\b/g, 'give --endpoint instead'],
];
const inCliWords = (text: string) => cliWords.reduce((result, [word, flag]) => result.replace(word, flag), text);

const serverLabel = (id: string, name: string | undefined, printable: Printable) =>
  name === undefined ? `server ${id}` : `server ${id} (${printable(name, 64)})`;

// ---------------------------------------------------------------------------------------------
// Several servers

/** The exit code a fleet's outcomes give (see names.ts). */
export function fleetExitCode(fleet: Fleet): ExitCode {
  if (fleet.failure !== undefined || fleet.servers.some((server) => server.outcome === 'failed' || server.outcome === 'not-sent')) {
    return exitCodes.partial;
  }
  return fleet.servers.some((server) => server.outcome === 'not-stopped') ? exitCodes.wait : exitCodes.ok;
}

const outcomeWords: Record<FleetServer['outcome'], string> = {
  accepted: 'stop accepted',
  stopped: 'stopped',
  'already-stopped': 'already stopped',
  failed: 'not stopped, its stop failed',
  'not-stopped': 'not stopped in time, although its stop was accepted',
  'not-sent': 'not sent, as an earlier request failed',
};

export function reportFleet(output: Output, settings: Settings, fleet: Fleet, context: { novaVersion: string; endpoint: string; waitedMs: number | undefined }): number {
  const code = fleetExitCode(fleet);
  const counts: Record<string, number> = {};
  for (const server of fleet.servers) counts[server.outcome] = (counts[server.outcome] ?? 0) + 1;
  if (output.json) {
    output.emitJson({
      ok: code === exitCodes.ok,
      api: fleet.api,
      novaVersion: context.novaVersion,
      endpoint: context.endpoint,
      ...(settings.type !== undefined && { type: settings.type }),
      jobs: fleet.jobs.map((job) => ({ ...job, requestId: job.requestId ?? null })),
      servers: fleet.servers,
      counts,
      ...(fleet.failure !== undefined && { error: errorDetails(fleet.failure) }),
      ...(context.waitedMs !== undefined && { waitedMs: context.waitedMs }),
    });
    return code;
  }
  const { printable } = output;
  for (const job of fleet.jobs) {
    const request = job.requestId === undefined ? '' : `, request ${printable(job.requestId, 200)}`;
    const ended = job.status === undefined ? '' : `; the job ended ${job.status}`;
    output.out(`Stop accepted for ${plural(job.serverIds.length, 'server')} as job ${job.jobId} (HTTP ${job.httpStatus}${request})${ended}`);
  }
  for (const server of fleet.servers) {
    const status = server.status === undefined || server.outcome === 'stopped' ? '' : ` (status ${printable(server.status, 40)})`;
    const why = server.message === undefined ? '' : `: ${server.code !== undefined && !server.message.startsWith(server.code) ? `${printable(server.code, 40)}: ` : ''}${printable(server.message, 500)}`;
    output.out(`${serverLabel(server.serverId, server.name, printable)}: ${outcomeWords[server.outcome]}${status}${why}`);
  }
  const summary = Object.entries(counts).map(([outcome, n]) => `${n} ${outcomeWords[outcome as FleetServer['outcome']].split(',')[0]}`).join(', ');
  output.out(`${plural(fleet.servers.length, 'server')}: ${summary}${context.waitedMs === undefined ? '' : `, after ${seconds(context.waitedMs)}`}`);
  if (fleet.failure !== undefined) output.err(`${NAME}: a stop request failed, and the servers after it were not sent: ${printable(errorDetails(fleet.failure).message)}`);
  return code;
}

export function reportDryRun(output: Output, settings: Settings, api: 'batch' | 'nova', servers: DryRunServer[]): number {
  if (output.json) {
    output.emitJson({ ok: true, dryRun: true, api, ...(settings.type !== undefined && { type: settings.type }), servers });
    return exitCodes.ok;
  }
  const how = api === 'batch' ? "Huawei's batch stop" : "Nova's stop action";
  output.out(`Dry run, nothing was stopped: would stop ${plural(servers.length, 'server')} with ${how} (${settings.type ?? 'SOFT'}):`);
  for (const server of servers) output.out(`  ${serverLabel(server.serverId, server.name, output.printable)}: ${output.printable(server.status, 40)}`);
  return exitCodes.ok;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const errorDetails = (error: EcsApiError) => ({ kind: error.kind, status: error.status ?? null, code: error.code ?? null, message: error.message });

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
