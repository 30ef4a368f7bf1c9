import { createEcsClient } from '../client.js';
import { packageVersion } from '../client-options.js';
import { Redactor } from '../errors/redaction.js';
import { parseCommandLine, wantsJson } from './args.js';
import { inputSources, settingsFrom, type Settings } from './environment.js';
import { envNames, exitCodes } from './names.js';
import { Output, reportFailure, reportHelp, reportStopped, reportVersion, type CliIo, type Stopped } from './output.js';

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

async function run(argv: string[], environment: NodeJS.ProcessEnv, io: CliIo, closed: AbortController): Promise<number> {
  const redactor = new Redactor();
  // Known before the command line is read, where a pasted secret could otherwise be quoted.
  for (const name of [envNames.sk, envNames.securityToken, envNames.token]) redactor.add(environment[name]);
  const output = new Output(io, redactor, closed, wantsJson(argv));
  const sources = inputSources();
  try {
    const { values, positionals } = parseCommandLine(argv);
    output.json = values.json === true;
    if (values.help) return reportHelp(output);
    if (values.version) return reportVersion(output, packageVersion);
    const settings = settingsFrom(values, positionals, environment, redactor, sources);
    return reportStopped(output, settings, await stop(settings, io, redactor, output, closed.signal));
  } catch (error) {
    if (closed.signal.aborted) return exitCodes.closedPipe;
    return reportFailure(output, error, sources);
  }
}

async function stop(settings: Settings, io: CliIo, redactor: Redactor, output: Output, signal: AbortSignal): Promise<Stopped> {
  const send = io.fetch ?? ((request: Request) => globalThis.fetch(request));
  const client = createEcsClient({
    ...settings.client,
    fetch: (request: Request) => {
      redactor.addFromRequest(request);
      return send(request);
    },
  });
  const started = Date.now();
  const onProgress = output.progress();
  const result = await client.stopServer(settings.serverId, {
    // Once the output is gone, waiting on has no one to tell.
    signal,
    ...(settings.type !== undefined && { type: settings.type }),
    ...(settings.okIfStopped && { ifAlreadyStopped: 'ok' as const }),
    ...(settings.waitTimeoutMs !== undefined && {
      wait: { timeoutMs: settings.waitTimeoutMs, ...(onProgress && { onProgress }) },
    }),
  });
  const waitedMs = settings.waitTimeoutMs === undefined ? undefined : Date.now() - started;
  return { result, novaVersion: client.novaVersion, endpoint: client.endpoint, waitedMs };
}
