#!/usr/bin/env node
/**
 * `ecs-stop`: asks Huawei Cloud ECS to stop one server (the Nova-compatible `os-stop` action).
 *
 * Credentials come from the environment only, never from flags, and no output ever carries a
 * secret: our own messages never quote a credential or any command-line value (nor an unknown
 * option's name, unless it cannot be a secret: see plausibleOptionName in cli/args.ts), and every
 * line written is also swept for the secrets in use (token, SK, security token, request
 * signature). A secret pasted on the command line is not one in use: only echoing nothing the
 * user typed keeps it out.
 *
 * This module is the program: cli/args.ts reads the command line, cli/environment.ts the
 * settings, cli/output.ts writes, and cli/run.ts runs the stop.
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
