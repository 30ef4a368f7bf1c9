/**
 * `ecs-stop` with its output closed early (`ecs-stop --help | head -c0`) ends quietly with 141
 * (README, "The CLI"): no "Unhandled 'error' event", no stack trace, nothing on the stream left
 * open, in text and --json, on stdout and stderr, and a --wait in progress is given up. Most rows
 * close a pipe on the CLI for real, in a child process (see cli-program.ts); two give main() and
 * programIo() streams that fail as a closed pipe does.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodes, main, programIo } from '../../src/cli.js';
import { faults, startFaultServer, type FaultServer } from '../support/fault-server.js';
import { fakeFetch, json, PROJECT, SERVER, serverBody, stopThenRead, TOKEN } from '../support/fixtures.js';
import { buildCliProgram, runCli, type CliProgram } from './cli-program.js';

let program: CliProgram;
let fault: FaultServer;

beforeAll(async () => {
  program = buildCliProgram();
  fault = await startFaultServer();
}, 60_000);

afterAll(async () => {
  await fault?.close();
  program?.remove();
});

const ENV = { ECS_AUTH_TOKEN: TOKEN, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, HUAWEICLOUD_SDK_REGION: 'cn-north-4' };
const CHILD_ENV = { ECS_AUTH_TOKEN: TOKEN, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT };

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the stream left open received. */
  other: string;
}

/** Runs the program with `closed` without a reader; what the other stream got is `other`. */
async function runClosed(argv: string[], closed: 'stdout' | 'stderr', env: Record<string, string> = {}): Promise<Outcome> {
  const run = await runCli(program, argv, env, closed);
  return { code: run.code, signal: run.signal, other: closed === 'stdout' ? run.stderr : run.stdout };
}

/** A stderr that says it is a terminal and whose reader is gone: every write fails with EPIPE. */
class ClosedTerminal extends Writable {
  readonly isTTY = true;
  writes = 0;
  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writes++;
    callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' }));
  }
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

interface PipeAttack {
  attack: string;
  run: () => Promise<Outcome>;
  /** The methods of the requests the loopback server must have seen. */
  sent?: string[];
}

const pipeAttacks: PipeAttack[] = [
  { attack: 'ecs-stop --help | head -c0 (stdout closed)', run: () => runClosed(['--help'], 'stdout') },
  { attack: 'ecs-stop --version --json | head -c0 (stdout closed, --json)', run: () => runClosed(['--version', '--json'], 'stdout') },
  { attack: 'a usage error in --json with stdout closed', run: () => runClosed([SERVER, '--bogus', '--json'], 'stdout', CHILD_ENV) },
  { attack: 'a usage error in text with stderr closed (2>&1 | head -c0)', run: () => runClosed(['--bogus'], 'stderr') },
  {
    attack: 'stdout closed while --wait reads the server (text)',
    run: () => {
      fault.queue(faults.status(202), faults.json(200, serverBody('SHUTOFF')));
      return runClosed([SERVER, '--wait', '--endpoint', fault.url], 'stdout', CHILD_ENV);
    },
    sent: ['POST', 'GET'],
  },
  {
    attack: 'stdout closed while --wait reads the server (--json)',
    run: () => {
      fault.queue(faults.status(202), faults.json(200, serverBody('SHUTOFF')));
      return runClosed([SERVER, '--wait', '--json', '--endpoint', fault.url], 'stdout', CHILD_ENV);
    },
    sent: ['POST', 'GET'],
  },
  {
    // Progress is shown on a terminal only, which a child's pipe is not: the program's streams
    // are given to programIo() here, with a stderr that is a terminal gone away.
    attack: 'the --wait progress line written to a closed stderr: the wait is given up',
    run: async () => {
      const stdout = new Collect();
      const stderr = new ClosedTerminal();
      const exits: number[] = [];
      // The server never reaches SHUTOFF: only giving up ends the wait (600 s otherwise).
      const fake = fakeFetch(stopThenRead(() => json(200, serverBody('ACTIVE'))));
      const code = await main([SERVER, '--wait'], ENV, { ...programIo({ stdout, stderr }, (c) => exits.push(c)), fetch: fake.fetch });
      expect(exits).toEqual([exitCodes.closedPipe]);
      expect(code).toBe(exitCodes.closedPipe);
      expect(stderr.writes).toBe(1);
      expect(fake.requests.length).toBeLessThanOrEqual(3);
      return { code, signal: null, other: stdout.text };
    },
  },
  {
    attack: 'a stdout that throws EPIPE on write (main, injected)',
    run: async () => {
      const stderr: string[] = [];
      const code = await main([SERVER, '--json'], ENV, {
        stdout: () => {
          throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        },
        stderr: (line) => stderr.push(line),
        fetch: fakeFetch().fetch,
      });
      return { code, signal: null, other: stderr.join('\n') };
    },
  },
];

describe('ecs-stop with its output closed early exits 141, quietly', () => {
  it.each(pipeAttacks.map((row) => [row.attack, row] as const))('%s', { timeout: 60_000 }, async (_, { run, sent }) => {
    const before = fault.requests.length;
    const outcome = await run();
    // No "Unhandled 'error' event", no stack trace, nothing at all on the stream left open.
    expect(outcome).toEqual({ code: exitCodes.closedPipe, signal: null, other: '' });
    if (sent) expect(fault.requests.slice(before).map((r) => r.method)).toEqual(sent);
  });
});
