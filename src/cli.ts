#!/usr/bin/env node
/**
 * `ecs-stop`: asks Huawei Cloud ECS to stop servers, by ID or name: one with the Nova-compatible
 * `os-stop` action, several with Huawei's batch stop.
 *
 * Credentials come from the environment only, never from flags, and no output ever carries a
 * secret: our own messages never quote a credential or a command-line value, except an unknown
 * option's name that cannot be a secret (see plausibleOptionName in cli/args.ts) and a server
 * name (an argument with a credential's shape is refused unshown rather than taken for a name: see
 * credentialShaped in cli/targets.ts); and every line written is also swept for the secrets in use
 * (token, SK, security token, request signature). A secret pasted on the command line is not one in use: only echoing nothing the
 * user typed keeps it out.
 *
 * This module is the program: cli/args.ts reads the command line, cli/environment.ts the
 * settings, cli/targets.ts the servers, cli/fleet.ts stops several, cli/output.ts writes, and
 * cli/run.ts runs it all.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NAME } from './cli/names.js';
import { exitCodes } from './cli/names.js';
import { programIo } from './cli/output.js';
import { main } from './cli/run.js';

export { envNames } from './cli/names.js';
export { exitCodes, type ExitCode } from './cli/names.js';
export { programIo, type CliIo, type ProgramStreams } from './cli/output.js';
export { usage } from './cli/usage.js';
export { main } from './cli/run.js';

/** Only when run as a program (npm's bin is a symlink, hence realpath). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === pathToFileURL(realpathSync(fileURLToPath(import.meta.url))).href;
  } catch {
    return false;
  }
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
