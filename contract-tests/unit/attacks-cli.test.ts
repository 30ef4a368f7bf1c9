/**
 * Attacks on the promises of the `ecs-stop` CLI (README, "The CLI"), one row each, with the
 * outcome the CLI owes:
 *
 * - bad input is refused before anything is sent (exit 2), naming what was wrong, and an unknown
 *   option is named only when it is plainly a typo of a known one;
 * - the exit codes: 0 accepted, 2 usage, 3 API error, 4 no answer, 5 --wait failed, 1 anything
 *   else;
 * - no argument or server text reaches a terminal raw (control characters, ANSI escapes, bidi
 *   overrides), the output stays short, and --json prints exactly one JSON line, on stdout, for
 *   failures too.
 *
 * Each row runs `main()` with an injected environment and fetch, as cli.test.ts does, in text and
 * --json mode. Secrets pasted on the command line or echoed by a server: secrets.test.ts. Output
 * closed early (exit 141): integration/cli-closed-pipe.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { exitCodes, main } from '../../src/cli.js';
import { fakeFetch, json, PROJECT, SERVER, serverBody, stopThenRead, TOKEN, type Handler } from '../support/fixtures.js';

type Env = Record<string, string | undefined>;
const ENV: Env = { ECS_AUTH_TOKEN: TOKEN, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, HUAWEICLOUD_SDK_REGION: 'cn-north-4' };

/** What a terminal must never get raw: control characters (C0, DEL, C1), line separators, bidi controls. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const TRY_HELP = "Try 'ecs-stop --help' for more information.";
const NOT_SHOWN = (n: number) => new RegExp(`^unknown option in argument ${n} \\(not shown, in case it is a secret\\)`);

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
  // Unknown options: named only when plainly a typo of a known one (a pasted secret is not: secrets.test.ts).
  { attack: 'an unknown option that is no near miss (--force)', argv: [SERVER, '--force'], code: 2, field: 'option', says: /^unknown option in argument 2 \(not shown, in case it is a secret\)$/ },
  { attack: 'a misspelt option (--tpye): named, with the option meant', argv: [SERVER, '--tpye', 'HARD'], code: 2, field: '--tpye', says: /^unknown option '--tpye' \(did you mean --type\?\)$/ },
  { attack: 'a misspelt option in capitals (--JSON): not quoted, the option meant suggested', argv: [SERVER, '--JSON'], code: 2, field: 'option', says: /^unknown option in argument 2 \(not shown, in case it is a secret\); did you mean --json\?$/ },
  { attack: 'an unknown short option (-x): one character, named', argv: [SERVER, '-x'], code: 2, field: '-x', says: /^unknown option '-x'$/ },
  { attack: 'a misspelt region is refused without a request', argv: [SERVER, '--region', 'cn-nort-4'], code: 2, field: '--region', says: /^--region is not an ECS region/ },
  // Very long arguments: refused, and the output stays short.
  { attack: 'a 100,000-character option name', argv: [SERVER, `--${long(100_000)}`], code: 2, field: 'option', says: NOT_SHOWN(2) },
  { attack: 'a 1 MB server ID', argv: [long(1_000_000)], code: 2, field: 'server-id', says: /^argument 1 must be a server ID \(a UUID\) or a server name of 1 to 255 characters$/ },
  { attack: 'a 100,000-character --endpoint', argv: [SERVER, '--endpoint', `https://${long(100_000)}.example.com/x`], code: 2, field: '--endpoint' },
  { attack: 'a 1 MB --type', argv: [SERVER, `--type=${long(1_000_000)}`], code: 2, field: '--type', says: /^--type must be SOFT or HARD$/ },
  { attack: '10,000 positionals, the same server', argv: Array.from({ length: 10_000 }, () => SERVER), code: 2, field: 'server-id', says: /^arguments 1 and 2 name the same server/ },
  // Control characters and escape sequences in arguments: never echoed to the terminal.
  { attack: 'an ANSI escape as an option name', argv: [SERVER, '--\u001b[2J\u001b[31mred'], code: 2, field: 'option', says: NOT_SHOWN(2) },
  { attack: 'an OSC title escape in the server ID', argv: ['\u001b]0;pwned\u0007'], code: 2, field: 'server-id', says: /^argument 1 must not contain control characters$/ },
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
    attack: 'a redirect to another host is not followed',
    argv: [SERVER],
    respond: () => new Response(null, { status: 302, headers: { Location: 'https://evil.example.com/' } }),
    code: 3,
    requests: 1,
  },
  { attack: 'a server that goes to ERROR during --wait', argv: [SERVER, '--wait'], respond: stopThenRead(() => json(200, serverBody('ERROR'))), code: 5, says: /went to ERROR/ },
  {
    attack: 'a server state with escapes during --wait',
    argv: [SERVER, '--wait', '--timeout', '1'],
    respond: stopThenRead(() => json(200, serverBody('\u001b[2JERROR\u009b'))),
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
  it.each(attacks.map((row) => [row.attack, row] as const))('%s', async (_, row) => {
    for (const mode of ['text', 'json'] as const) {
      const result = await attack(row, mode);
      const label = `${mode}: ${row.attack}`;
      const output = [...result.stdout, ...result.stderr];
      expect(result.code, label).toBe(row.code);
      if (row.code === exitCodes.usage) expect(result.requests, label).toHaveLength(0);
      if (row.requests !== undefined) expect(result.requests, label).toHaveLength(row.requests);
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
