/**
 * Attacks on the promises of the `ecs-stop` CLI (README, "The CLI"), one row each, with the
 * outcome the CLI owes:
 *
 * - credentials come from the environment only: a secret pasted on the command line (as a
 *   positional, an option name, an option value, a short option cluster, URL user info) is
 *   refused, and never shown, in whole or in part, in text or --json, even when it is not one
 *   of the credentials in the environment (which the output sweep would catch anyway);
 * - bad input is refused before anything is sent (exit 2), naming what was wrong;
 * - the exit codes: 0 accepted, 2 usage, 3 API error, 4 no answer, 5 --wait failed, 1 anything
 *   else, 141 a closed pipe;
 * - no argument or server text reaches a terminal raw (control characters, ANSI escapes, bidi
 *   overrides), and --json prints exactly one JSON line, on stdout, for failures too;
 * - stdout or stderr closed early (`ecs-stop --help | head -c0`) ends the CLI quietly.
 *
 * The first table runs `main()` with an injected environment and fetch, as cli.test.ts does,
 * in text and --json mode. The second closes a pipe on the CLI for real: a child process runs the
 * CLI's own source, transpiled into a scratch directory (the way vitest runs it in-process), so
 * that it neither depends on nor races a `npm run build` of dist/ by another test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodes, main, programIo } from '../../src/cli.js';
import { fakeFetch, json, PROJECT, SERVER, type Handler } from '../support/fixtures.js';
import { faults, startFaultServer, type FaultServer } from '../support/fault-server.js';
import { repoRoot } from '../support/prism.js';

// The credentials in the environment.
const ENV_TOKEN = 'MIIenvT0kenR4nd0mZq8Lp2Xw6Ys1Vb9Nc3Qe';
// Secrets pasted on the command line, in none of the credential variables: only the CLI's
// refusal to echo what it was given keeps them out of the output. Huawei's shapes: an SK of 40
// letters and digits, a token, a security token; and a lowercase secret that looks like a name.
const PASTED_SK = 'Pq7sKw2XzR9mL4vB8nT1yY6uI3oE0aSdF5gHj2Kl';
const PASTED_TOKEN = 'MIIpastedT0kenA1bC2dE3fG4hI5jK6lM7nO8';
const PASTED_STS = 'stsPasted9ecretQ1wE2rT3yU4iO5pA6sD7fG';
const LOWER_SECRET = 'q8x2m4k9z7w1p5r3t6y0u2e4';
const REGION_SHAPED_SECRET = 'zq-8x2m4k9z7w1p5r3t6y0';
const SECRETS = [ENV_TOKEN, PASTED_SK, PASTED_TOKEN, PASTED_STS, LOWER_SECRET, REGION_SHAPED_SECRET];
/** A secret is also leaked by any piece of it this long. */
const WINDOW = 12;

type Env = Record<string, string | undefined>;
const ENV: Env = { ECS_AUTH_TOKEN: ENV_TOKEN, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, HUAWEICLOUD_SDK_REGION: 'cn-north-4' };

/** What a terminal must never get raw: control characters (C0, DEL, C1), line separators, bidi controls. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const TRY_HELP = "Try 'ecs-stop --help' for more information.";
const NOT_SHOWN = (n: number) => new RegExp(`^unknown option in argument ${n} \\(not shown, in case it is a secret\\)`);

function leaks(text: string): string[] {
  const found: string[] = [];
  for (const secret of SECRETS) {
    for (let at = 0; at + WINDOW <= secret.length; at++) {
      if (text.includes(secret.slice(at, at + WINDOW))) {
        found.push(secret.slice(at, at + WINDOW));
        break;
      }
    }
  }
  return found;
}

const server = (status: string) => ({
  server: { id: SERVER, name: 'vm', status, 'OS-EXT-STS:vm_state': status === 'SHUTOFF' ? 'stopped' : 'active', 'OS-EXT-STS:task_state': null },
});
/** 202 to the stop, then the server as `status` to every read. */
const stopThen =
  (status: string): Handler =>
  (request) =>
    request.method === 'GET' ? json(200, server(status)) : new Response(null, { status: 202 });
const novaFault = (status: number, name: string, message: string, headers: Record<string, string> = {}): Handler =>
  () => json(status, { [name]: { code: status, message } }, headers);

// ---------------------------------------------------------------------------------------------
// Attacks through the command line, the environment and the server

interface Attack {
  attack: string;
  argv: string[];
  /** Default: a token, the project and the region. */
  env?: Env;
  /** The server (default: 202 to everything). */
  respond?: Handler;
  /** The exit code owed. */
  code: number;
  /** The error's field in --json (usage errors). */
  field?: string;
  /** What the error must say: in text (after "ecs-stop: "), and for usage errors the --json message too. */
  says?: RegExp;
  /** How many requests may be sent (default: none for exit 2, any number otherwise). */
  requests?: number;
}

const long = (n: number) => 'a'.repeat(n);

const attacks: Attack[] = [
  // A secret pasted as an unknown long option: named by its position, never quoted.
  { attack: 'an SK pasted as --<SK> (40 letters and digits, not in the environment)', argv: [SERVER, `--${PASTED_SK}`], code: 2, field: 'option', says: NOT_SHOWN(2) },
  { attack: 'an SK pasted as --<SK>=<value>', argv: [`--${PASTED_SK}=HARD`, SERVER], code: 2, field: 'option', says: NOT_SHOWN(1) },
  { attack: 'a token pasted as --<token>', argv: [SERVER, '--type', 'SOFT', `--${PASTED_TOKEN}`], code: 2, field: 'option', says: NOT_SHOWN(4) },
  { attack: 'a lowercase secret pasted as --<secret> (looks like an option name)', argv: [SERVER, `--${LOWER_SECRET}`], code: 2, field: 'option', says: NOT_SHOWN(2) },
  {
    attack: 'an SK pasted as --<SK> that is also in the environment',
    argv: [SERVER, `--${PASTED_SK}`],
    env: { HUAWEICLOUD_SDK_AK: 'AKPUBLIC0000000001', HUAWEICLOUD_SDK_SK: PASTED_SK, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, HUAWEICLOUD_SDK_REGION: 'cn-north-4' },
    code: 2,
    field: 'option',
    says: NOT_SHOWN(2),
  },
  { attack: 'an unknown option that is no near miss (--force)', argv: [SERVER, '--force'], code: 2, field: 'option', says: /^unknown option in argument 2 \(not shown, in case it is a secret\)$/ },
  // Near misses of a known option and credential flags are still named: they cannot hold a secret.
  { attack: 'a misspelt option (--tpye): named, with the option meant', argv: [SERVER, '--tpye', 'HARD'], code: 2, field: '--tpye', says: /^unknown option '--tpye' \(did you mean --type\?\)$/ },
  { attack: 'a misspelt option in capitals (--JSON): not quoted, the option meant suggested', argv: [SERVER, '--JSON'], code: 2, field: 'option', says: /^unknown option in argument 2 \(not shown, in case it is a secret\); did you mean --json\?$/ },
  { attack: 'an SK as --sk=<SK>', argv: [SERVER, `--sk=${PASTED_SK}`], code: 2, field: '--sk', says: /^unknown option '--sk'; credentials are read from the environment only/ },
  { attack: 'an SK as --sk <SK>', argv: [SERVER, '--sk', PASTED_SK], code: 2, field: '--sk', says: /^unknown option '--sk'; credentials are read from the environment only/ },
  { attack: 'a token as --auth-token=<token>', argv: [SERVER, `--auth-token=${PASTED_TOKEN}`], code: 2, field: '--auth-token', says: /^unknown option '--auth-token'; credentials are read from the environment only/ },
  { attack: 'an SK as --SK=<SK> (capitals)', argv: [SERVER, `--SK=${PASTED_SK}`], code: 2, field: 'option', says: /^unknown option in argument 2 \(not shown.*; credentials are read from the environment only/ },
  { attack: 'an SK as --x=<SK>', argv: [SERVER, `--x=${PASTED_SK}`], code: 2, field: 'option', says: NOT_SHOWN(2) },
  // Short options.
  { attack: 'an SK glued to a known short option (-h<SK>)', argv: [SERVER, `-h${PASTED_SK}`], code: 2, field: 'option', says: NOT_SHOWN(2) },
  { attack: 'a token pasted as a short option cluster (-<token>)', argv: [`-${PASTED_TOKEN}`, SERVER], code: 2, field: 'option', says: NOT_SHOWN(1) },
  { attack: 'a lowercase secret as a short option cluster', argv: [SERVER, `-${LOWER_SECRET}`], code: 2, field: 'option', says: NOT_SHOWN(2) },
  { attack: 'an unknown short option (-x): one character, named', argv: [SERVER, '-x'], code: 2, field: '-x', says: /^unknown option '-x'$/ },
  // Secrets as positionals and as option values.
  { attack: 'an SK as the server ID', argv: [PASTED_SK], code: 2, field: 'server-id', says: /^server-id must be a UUID/ },
  { attack: 'a token as a second positional', argv: [SERVER, PASTED_TOKEN], code: 2, field: 'server-id', says: /^takes exactly one server-id, got 2 arguments$/ },
  { attack: 'an SK after --', argv: ['--', PASTED_SK], code: 2, field: 'server-id', says: /^server-id must be a UUID/ },
  { attack: 'an SK with a slash as the server ID', argv: [`${PASTED_SK}/..`], code: 2, field: 'server-id', says: /^server-id must not contain '\/'/ },
  { attack: 'an SK as --type', argv: [SERVER, '--type', PASTED_SK], code: 2, field: '--type', says: /^--type must be SOFT or HARD$/ },
  { attack: 'a token as --project-id', argv: [SERVER, '--project-id', PASTED_TOKEN], code: 2, field: '--project-id', says: /^--project-id must be a project ID/ },
  { attack: 'an SK as --microversion', argv: [SERVER, '--microversion', PASTED_SK], code: 2, field: '--microversion', says: /^--microversion must be/ },
  { attack: 'an SK as --timeout-ms', argv: [SERVER, '--timeout-ms', PASTED_SK], code: 2, field: '--timeout-ms', says: /^--timeout-ms must be an integer/ },
  { attack: 'a token as --api-version=<token>', argv: [SERVER, `--api-version=${PASTED_TOKEN}`], code: 2, field: '--api-version', says: /^--api-version must be v2 or v2\.1$/ },
  { attack: 'a security token as --json=<token>', argv: [SERVER, `--json=${PASTED_STS}`], code: 2, field: '--json', says: /^--json takes no value$/ },
  { attack: 'an SK as --region', argv: [SERVER, '--region', PASTED_SK], code: 2, field: '--region', says: /^--region must be a region ID/ },
  { attack: 'a secret shaped like a region as --region', argv: [SERVER, '--region', REGION_SHAPED_SECRET], code: 2, field: '--region', says: /^--region is not an ECS region of Huawei's SDKs .*give the endpoint instead$/ },
  {
    attack: 'a secret shaped like a region as HUAWEICLOUD_SDK_REGION',
    argv: [SERVER],
    env: { ...ENV, HUAWEICLOUD_SDK_REGION: REGION_SHAPED_SECRET },
    code: 2,
    field: 'HUAWEICLOUD_SDK_REGION',
    says: /^HUAWEICLOUD_SDK_REGION is not an ECS region/,
  },
  { attack: 'a misspelt region is refused without a request', argv: [SERVER, '--region', 'cn-nort-4'], code: 2, field: '--region', says: /^--region is not an ECS region/ },
  { attack: 'an SK as --endpoint', argv: [SERVER, '--endpoint', PASTED_SK], code: 2, field: '--endpoint', says: /^--endpoint must be a URL/ },
  { attack: 'an SK as --endpoint user info', argv: [SERVER, '--endpoint', `https://ak:${PASTED_SK}@ecs.example.com`], code: 2, field: '--endpoint', says: /^--endpoint must not contain user info$/ },
  { attack: 'a token as --endpoint user name (loopback http)', argv: [SERVER, '--endpoint', `http://${PASTED_TOKEN}@127.0.0.1:9`], code: 2, field: '--endpoint', says: /^--endpoint must not contain user info$/ },
  { attack: 'a token in the --endpoint query', argv: [SERVER, '--endpoint', `https://ecs.example.com/?token=${PASTED_TOKEN}`], code: 2, field: '--endpoint', says: /^--endpoint must be an origin only/ },
  {
    attack: 'an SK as ECS_ENDPOINT user info',
    argv: [SERVER],
    env: { ...ENV, HUAWEICLOUD_SDK_REGION: undefined, ECS_ENDPOINT: `https://ak:${PASTED_SK}@ecs.example.com` },
    code: 2,
    field: 'ECS_ENDPOINT',
    says: /^ECS_ENDPOINT must not contain user info$/,
  },
  { attack: 'a token as HUAWEICLOUD_SDK_PROJECT_ID', argv: [SERVER], env: { ...ENV, HUAWEICLOUD_SDK_PROJECT_ID: PASTED_TOKEN }, code: 2, field: 'HUAWEICLOUD_SDK_PROJECT_ID', says: /^HUAWEICLOUD_SDK_PROJECT_ID must be a project ID/ },
  { attack: 'a token with CRLF and a header in ECS_AUTH_TOKEN', argv: [SERVER], env: { ...ENV, ECS_AUTH_TOKEN: `${ENV_TOKEN}\r\nX-Evil: 1` }, code: 2, field: 'ECS_AUTH_TOKEN', says: /^ECS_AUTH_TOKEN must be/ },
  {
    attack: 'both kinds of credentials, the SK pasted into the AK variable too',
    argv: [SERVER],
    env: { ...ENV, HUAWEICLOUD_SDK_AK: PASTED_SK, HUAWEICLOUD_SDK_SK: PASTED_SK },
    code: 2,
    field: 'credentials',
    says: /one kind of credentials only/,
  },
  // Very long arguments: refused, and the output stays short.
  { attack: 'a 100,000-character option name', argv: [SERVER, `--${long(100_000)}`], code: 2, field: 'option', says: NOT_SHOWN(2) },
  { attack: 'a 1 MB server ID', argv: [long(1_000_000)], code: 2, field: 'server-id', says: /^server-id must be a UUID/ },
  { attack: 'a 100,000-character --endpoint', argv: [SERVER, '--endpoint', `https://${long(100_000)}.example.com/x`], code: 2, field: '--endpoint' },
  { attack: 'a 1 MB --type', argv: [SERVER, `--type=${long(1_000_000)}`], code: 2, field: '--type', says: /^--type must be SOFT or HARD$/ },
  { attack: '10,000 positionals', argv: Array.from({ length: 10_000 }, () => SERVER), code: 2, field: 'server-id', says: /^takes exactly one server-id, got 10000 arguments$/ },
  // Control characters and escape sequences in arguments: never echoed to the terminal.
  { attack: 'an ANSI escape as an option name', argv: [SERVER, '--\u001b[2J\u001b[31mred'], code: 2, field: 'option', says: NOT_SHOWN(2) },
  { attack: 'an OSC title escape in the server ID', argv: ['\u001b]0;pwned\u0007'], code: 2, field: 'server-id', says: /^server-id must not contain whitespace or control characters$/ },
  { attack: 'an escape and a newline in --type', argv: [SERVER, '--type', 'SOFT\u001b[2J\nHARD'], code: 2, field: '--type', says: /^--type must be SOFT or HARD$/ },
  { attack: 'a newline in --region', argv: [SERVER, '--region', 'cn-north-4\n'], code: 2, field: '--region', says: /^--region must be a region ID/ },
  { attack: 'a C1 CSI (U+009B) as a short option', argv: [SERVER, '-\u009b'], code: 2, field: 'option', says: NOT_SHOWN(2) },
  { attack: 'a bidi override in an option name', argv: [SERVER, '--\u202eepyt'], code: 2, field: 'option', says: NOT_SHOWN(2) },
  { attack: 'an escape in a misspelt option', argv: [SERVER, '--tpye\u001b[8m'], code: 2, field: 'option', says: NOT_SHOWN(2) },
  // The server's text: made safe for a terminal, one JSON line, and the right exit code.
  {
    attack: 'a server message with ANSI escapes, C1 controls, line breaks and bidi overrides',
    argv: [SERVER],
    respond: novaFault(409, 'conflictingRequest', 'a\u001b[31mb\u009b2Jc\nd\r\ne\u2028f\u202eg\u0085h'),
    code: 3,
    says: /^409 conflictingRequest: /,
  },
  {
    attack: 'a server message forging a second line of output ({"ok":true})',
    argv: [SERVER],
    respond: novaFault(400, 'badRequest', `bad\n{"ok":true,"serverId":"${SERVER}"}\n`),
    code: 3,
    says: /^400 badRequest: /,
  },
  {
    attack: 'a request ID header with an escape sequence',
    argv: [SERVER],
    respond: novaFault(404, 'itemNotFound', 'gone', { 'X-Openstack-Request-Id': 'req-\u001b[2J' }),
    code: 3,
  },
  {
    attack: 'a server quoting back the token it was sent',
    argv: [SERVER],
    respond: (request) => novaFault(401, 'unauthorized', `bad token ${request.headers.get('x-auth-token')}`)(request, 1),
    code: 3,
  },
  {
    attack: 'a redirect to another host is not followed',
    argv: [SERVER],
    respond: () => new Response(null, { status: 302, headers: { Location: 'https://evil.example.com/' } }),
    code: 3,
    requests: 1,
  },
  {
    attack: 'a network failure quoting the request headers',
    argv: [SERVER],
    respond: (request) => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(`reset: ${[...request.headers].join(';')}`), { code: 'UND_ERR_SOCKET' }) });
    },
    code: 4,
  },
  { attack: 'a server that goes to ERROR during --wait', argv: [SERVER, '--wait'], respond: stopThen('ERROR'), code: 5, says: /went to ERROR/ },
  {
    attack: 'a server state with escapes during --wait',
    argv: [SERVER, '--wait', '--timeout', '1'],
    respond: (request) => (request.method === 'GET' ? json(200, server('\u001b[2JERROR\u009b')) : new Response(null, { status: 202 })),
    code: 5,
  },
];

/** `--json` before any `--`, so that it stays an option. */
function withJson(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return end === -1 ? [...argv, '--json'] : [...argv.slice(0, end), '--json', ...argv.slice(end)];
}

async function attack(row: Attack, mode: 'text' | 'json') {
  const fake = fakeFetch(row.respond);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(mode === 'json' ? withJson(row.argv) : row.argv, row.env ?? ENV, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    fetch: fake.fetch,
  });
  return { code, stdout, stderr, requests: fake.requests };
}

describe('ecs-stop under attack', () => {
  it.each(attacks)('$attack', async (row) => {
    for (const mode of ['text', 'json'] as const) {
      const result = await attack(row, mode);
      const label = `${mode}: ${row.attack}`;
      const output = [...result.stdout, ...result.stderr];
      expect(result.code, label).toBe(row.code);
      if (row.code === exitCodes.usage) expect(result.requests, label).toHaveLength(0);
      if (row.requests !== undefined) expect(result.requests, label).toHaveLength(row.requests);
      expect(leaks(output.join('\n')), label).toEqual([]);
      expect(output.join('\n').length, label).toBeLessThan(4_000);
      for (const line of output) expect(line, label).not.toMatch(UNSAFE);

      if (mode === 'text') {
        expect(result.stdout, label).toEqual([]);
        expect(result.stderr[0], label).toMatch(/^ecs-stop: /);
        if (row.says) expect(result.stderr[0]!.slice('ecs-stop: '.length), label).toMatch(row.says);
        if (row.code === exitCodes.usage) expect(result.stderr, label).toEqual([result.stderr[0], TRY_HELP]);
        else expect(result.stderr, label).toHaveLength(1);
      } else {
        // Exactly one JSON line on stdout, and nothing on stderr.
        expect(result.stderr, label).toEqual([]);
        expect(result.stdout, label).toHaveLength(1);
        expect(result.stdout[0], label).not.toContain('\n');
        const parsed = JSON.parse(result.stdout[0]!) as { ok: boolean; error: { kind: string; field?: string; message: string } };
        expect(parsed.ok, label).toBe(false);
        expect(typeof parsed.error.message, label).toBe('string');
        if (row.code === exitCodes.usage) expect(parsed.error.kind, label).toBe('usage');
        if (row.field !== undefined) expect(parsed.error.field, label).toBe(row.field);
        if (row.says && row.code === exitCodes.usage) expect(parsed.error.message, label).toMatch(row.says);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A closed pipe

let scratch: string;
let cli: string;
let fault: FaultServer;

beforeAll(async () => {
  // The CLI's source as a program: each file of src/ transpiled on its own (no type check, so a
  // type error elsewhere does not stop it), beside a package.json and the project's node_modules.
  scratch = mkdtempSync(join(tmpdir(), 'ecs-stop-attacks-'));
  writeFileSync(join(scratch, 'package.json'), '{"type": "module"}\n');
  symlinkSync(join(repoRoot, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  const src = join(repoRoot, 'src');
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(src, file), 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    writeFileSync(join(scratch, file.replace(/\.ts$/, '.js')), outputText);
  }
  cli = join(scratch, 'cli.js');
  fault = await startFaultServer();
}, 60_000);

afterAll(async () => {
  await fault?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the stream left open received. */
  other: string;
}

/**
 * Runs the CLI in a child process whose `closed` stream has no reader: the parent's end of the
 * pipe is closed before the child starts, so its first write there fails with EPIPE.
 */
function runClosed(argv: string[], closed: 'stdout' | 'stderr', env: Env = {}): Promise<Outcome> {
  const child = spawn(process.execPath, [cli, ...argv], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child[closed].destroy();
  const open = closed === 'stdout' ? child.stderr : child.stdout;
  let other = '';
  open.setEncoding('utf8');
  open.on('data', (chunk: string) => (other += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, other }));
  });
}

const CHILD_ENV: Env = { ECS_AUTH_TOKEN: ENV_TOKEN, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT };

interface PipeAttack {
  attack: string;
  run: () => Promise<Outcome>;
  /** Requests the loopback server must have seen, as "METHOD path". */
  sent?: string[];
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

const pipeAttacks: PipeAttack[] = [
  { attack: 'ecs-stop --help | head -c0 (stdout closed)', run: () => runClosed(['--help'], 'stdout') },
  { attack: 'ecs-stop --version --json | head -c0 (stdout closed, --json)', run: () => runClosed(['--version', '--json'], 'stdout') },
  { attack: 'a usage error in --json with stdout closed', run: () => runClosed([SERVER, `--${PASTED_SK}`, '--json'], 'stdout', CHILD_ENV) },
  { attack: 'a usage error in text with stderr closed (2>&1 | head -c0)', run: () => runClosed(['--bogus'], 'stderr') },
  {
    attack: 'stdout closed while --wait reads the server (text)',
    run: () => {
      fault.queue(faults.status(202), faults.json(200, server('SHUTOFF')));
      return runClosed([SERVER, '--wait', '--endpoint', fault.url], 'stdout', CHILD_ENV);
    },
    sent: ['POST', 'GET'],
  },
  {
    attack: 'stdout closed while --wait reads the server (--json)',
    run: () => {
      fault.queue(faults.status(202), faults.json(200, server('SHUTOFF')));
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
      const fake = fakeFetch(stopThen('ACTIVE'));
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
  it.each(pipeAttacks)('$attack', { timeout: 60_000 }, async ({ run, sent }) => {
    const before = fault.requests.length;
    const outcome = await run();
    // No "Unhandled 'error' event", no stack trace, nothing at all on the stream left open.
    expect(outcome).toEqual({ code: exitCodes.closedPipe, signal: null, other: '' });
    if (sent) expect(fault.requests.slice(before).map((r) => r.method)).toEqual(sent);
  });
});
