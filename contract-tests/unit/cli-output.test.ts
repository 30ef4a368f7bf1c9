/**
 * The CLI's output on streams (programIo) and its writer, in process with in-memory streams: a
 * failed stream ends the run with the right code and nothing more is written; the --wait progress
 * line lives on a terminal only and is ended before any other line.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { exitCodes, main, programIo } from '../../src/cli.js';
import { fakeFetch, json, PROJECT, SERVER, serverBody, TOKEN } from '../support/fixtures.js';

const ENV = { ECS_AUTH_TOKEN: TOKEN, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, HUAWEICLOUD_SDK_REGION: 'cn-north-4' };

/** A stream that keeps what it is given, or fails every write with `code`. */
class Sink extends Writable {
  text = '';
  constructor(
    private readonly failWith?: string,
    readonly isTTY = false,
  ) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.failWith) return callback(Object.assign(new Error(`write ${this.failWith}`), { code: this.failWith }));
    this.text += chunk.toString();
    callback();
  }
}

/** Lets the streams report their errors (they do so on a later turn). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('programIo', () => {
  it.each([
    ['EIO', ' (EIO)'],
    ['not a code', ''],
  ])('a stdout that fails with %j exits 1, saying so once on stderr', async (code, detail) => {
    const stdout = new Sink(code);
    const stderr = new Sink();
    const exits: number[] = [];
    const io = programIo({ stdout, stderr }, (c) => exits.push(c));
    io.stdout('first');
    await settle();
    expect(exits).toEqual([exitCodes.unexpected]);
    expect(stderr.text).toBe(`ecs-stop: cannot write to stdout${detail}\n`);
    expect(() => io.stderr('more')).toThrow();
    expect(stderr.text).toBe(`ecs-stop: cannot write to stdout${detail}\n`);
  });

  it('a stdout that fails while stderr is gone too still exits 1', async () => {
    const stdout = new Sink('EIO');
    const stderr = new Sink();
    stderr.write = () => {
      throw new Error('stderr is gone');
    };
    const exits: number[] = [];
    programIo({ stdout, stderr }, (c) => exits.push(c)).stdout('line');
    await settle();
    expect(exits).toEqual([exitCodes.unexpected]);
  });

  it('a closed stderr exits 141 once, and a later stdout failure changes nothing', async () => {
    const stdout = new Sink('EPIPE');
    const stderr = new Sink('EPIPE');
    const exits: number[] = [];
    const io = programIo({ stdout, stderr }, (c) => exits.push(c));
    io.stderr('a');
    await settle();
    expect(() => io.stdout('b')).toThrow();
    await settle();
    expect(exits).toEqual([exitCodes.closedPipe]);
  });

  it('draws the progress line only on a terminal, and ends it before the next line', () => {
    const tty = new Sink(undefined, true);
    const stdout = new Sink();
    const io = programIo({ stdout, stderr: tty }, () => {});
    io.progress!('server x: ACTIVE, 1 s');
    io.progress!('server x: SHUTOFF, 2 s');
    io.stdout('done');
    expect(tty.text).toBe('\r\x1b[Kserver x: ACTIVE, 1 s\r\x1b[Kserver x: SHUTOFF, 2 s\n');
    expect(stdout.text).toBe('done\n');
    expect(programIo({ stdout, stderr: new Sink() }, () => {}).progress).toBeUndefined();
  });
});

describe('the writer in main()', () => {
  it('once a line finds its pipe closed, writes nothing more and exits 141', async () => {
    const lines: string[] = [];
    const stderr = (line: string) => {
      lines.push(line);
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    };
    const code = await main(['not-a-uuid'], ENV, { stdout: () => {}, stderr });
    expect(code).toBe(exitCodes.closedPipe);
    expect(lines).toHaveLength(1); // the usage error; its "Try ecs-stop --help" line is never written
  });

  it('a progress display that fails for another reason ends the run as unexpected (exit 1), naming the error', async () => {
    const fake = fakeFetch((request) => (request.method === 'POST' ? new Response(null, { status: 202 }) : json(200, serverBody('SHUTOFF'))));
    const stderr: string[] = [];
    const progress = () => {
      throw new RangeError('terminal too narrow');
    };
    const code = await main([SERVER, '--wait'], ENV, { stdout: () => {}, stderr: (line) => stderr.push(line), progress, fetch: fake.fetch });
    expect(code).toBe(exitCodes.unexpected);
    expect(stderr).toEqual(['ecs-stop: unexpected error: RangeError: terminal too narrow']);
  });
});
