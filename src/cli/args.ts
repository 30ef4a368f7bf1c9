import { parseArgs } from 'node:util';
import { envNames } from './names.js';

const options = {
  type: { type: 'string' },
  'nova-version': { type: 'string' },
  // The former name of --nova-version.
  'api-version': { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'project-id': { type: 'string' },
  'os-cloud': { type: 'string' },
  microversion: { type: 'string' },
  'timeout-ms': { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  'ok-if-stopped': { type: 'boolean' },
  api: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'allow-insecure-http': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** A bad command line or environment; `field` names the flag, argument or variable. */
export class UsageError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export type Parsed = ReturnType<typeof parseStrict>;
export type ParsedValues = Parsed['values'];

function parseStrict(argv: string[]) {
  return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
}

/** The command line, or a UsageError that never quotes it (see explainParseFailure). */
export function parseCommandLine(argv: string[]): Parsed {
  try {
    return parseStrict(argv);
  } catch {
    throw explainParseFailure(argv);
  }
}

/** `--json` as the user meant it, even when the command line does not parse. */
export function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
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
