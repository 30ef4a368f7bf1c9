import { sleep } from '../abort.js';
import { createEcsClient, type EcsClient } from '../client.js';
import { packageVersion } from '../client-options.js';
import { Redactor } from '../errors/redaction.js';
import { fetchTransport } from '../transport/fetch-transport.js';
import { nodeTransport } from '../transport/node-transport.js';
import type { Transport } from '../transport/transport.js';
import { connectCloud, loadCloud } from '../cloud-config.js';
import type { EcsClientOptions } from '../client-options.js';
import { parseCommandLine, wantsJson } from './args.js';
import { inputSources, settingsFrom, type Settings } from './environment.js';
import { readAll, stopEachWithNova, stopWithBatches, type Fleet } from './fleet.js';
import { envNames, exitCodes } from './names.js';
import {
  Output,
  reportDryRun,
  reportFailure,
  reportFleet,
  reportHelp,
  reportStopped,
  reportVersion,
  type CliIo,
  type Clock,
  type Stopped,
} from './output.js';
import { resolveTargets, type Resolved } from './targets.js';

const systemClock: Clock = { now: () => Date.now(), sleep };

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
  for (const name of [envNames.sk, envNames.securityToken, envNames.token, 'OS_PASSWORD', 'OS_APPLICATION_CREDENTIAL_SECRET']) redactor.add(environment[name]);
  const output = new Output(io, redactor, closed, wantsJson(argv));
  const sources = inputSources();
  try {
    const { values, positionals } = parseCommandLine(argv);
    output.json = values.json === true;
    if (values.help) return reportHelp(output);
    if (values.version) return reportVersion(output, packageVersion);
    const settings = settingsFrom(values, positionals, environment, redactor, sources);
    return await execute(settings, io, redactor, output, closed.signal);
  } catch (error) {
    if (closed.signal.aborted) return exitCodes.closedPipe;
    return reportFailure(output, error, sources);
  }
}

/** Resolves the servers, then reads them (--dry-run) or stops them with the API chosen. */
async function execute(settings: Settings, io: CliIo, redactor: Redactor, output: Output, signal: AbortSignal): Promise<number> {
  // The program runs on Node only: node:http, unless a test hands it a fetch.
  const inner = io.fetch ? fetchTransport(io.fetch) : nodeTransport();
  const transport: Transport = (request, attempt) => {
    redactor.addFromRequest({ headers: { get: (name) => request.headers[name] } });
    return inner(request, attempt);
  };
  const client = createEcsClient({ ...(await clientOptions(settings, transport, signal)), transport });
  const clock = io.clock ?? systemClock;
  // Every name is resolved before anything is stopped.
  const servers = await resolveTargets(settings.targets, client, signal, output.printable);
  const api = settings.api === 'auto' ? (servers.length > 1 ? 'batch' : 'nova') : settings.api;
  if (settings.dryRun) return reportDryRun(output, settings, api, await readAll(client, servers, signal));
  if (api === 'nova' && servers.length === 1) {
    const serverId = servers[0]!.serverId;
    return reportStopped(output, settings, serverId, await stopOne(client, settings, serverId, output, clock, signal));
  }
  const started = clock.now();
  const fleet = await stopMany(client, settings, api, servers, output, clock, signal);
  const nothingAccepted = fleet.servers.every((server) => server.outcome === 'failed' || server.outcome === 'not-sent');
  // Nothing was accepted at all: the first failure is the run's, as for one server.
  if (fleet.failure !== undefined && nothingAccepted) return reportFailure(output, fleet.failure, {});
  const waitedMs = settings.waitTimeoutMs === undefined ? undefined : clock.now() - started;
  return reportFleet(output, settings, fleet, { novaVersion: client.novaVersion, endpoint: client.endpoint, waitedMs });
}

async function stopOne(client: EcsClient, settings: Settings, serverId: string, output: Output, clock: Clock, signal: AbortSignal): Promise<Stopped> {
  const started = clock.now();
  const onProgress = output.progress(clock.now);
  const result = await client.stopServer(serverId, {
    // Once the output is gone, waiting on has no one to tell.
    signal,
    ...(settings.type !== undefined && { type: settings.type }),
    ...(settings.okIfStopped && { ifAlreadyStopped: 'ok' as const }),
    ...(settings.waitTimeoutMs !== undefined && {
      wait: { timeoutMs: settings.waitTimeoutMs, ...(onProgress && { onProgress }) },
    }),
  });
  const waitedMs = settings.waitTimeoutMs === undefined ? undefined : clock.now() - started;
  return { result, novaVersion: client.novaVersion, endpoint: client.endpoint, waitedMs };
}

function stopMany(client: EcsClient, settings: Settings, api: 'batch' | 'nova', servers: Resolved[], output: Output, clock: Clock, signal: AbortSignal): Promise<Fleet> {
  const options = {
    type: settings.type,
    waitTimeoutMs: settings.waitTimeoutMs,
    okIfStopped: settings.okIfStopped,
    signal,
    onProgress: settings.waitTimeoutMs === undefined ? undefined : output.fleetProgress(servers, clock.now),
    pause: clock.sleep,
    onPause: (ms: number, batch: number, batches: number) => {
      if (!output.json) output.err(`batch ${batch} of ${batches} in ${Math.ceil(ms / 1000)} s (Huawei stops at most 1,000 servers a minute)`);
    },
    now: clock.now,
  };
  return api === 'batch' ? stopWithBatches(client, servers, options) : stopEachWithNova(client, servers, options);
}

/** The client's options: as given, or, with a cloud, its auth and what its token's catalog says. */
async function clientOptions(settings: Settings, transport: Transport, signal: AbortSignal): Promise<EcsClientOptions> {
  if (!settings.cloud) return settings.client as EcsClientOptions;
  const cloud = loadCloud({ env: settings.cloud.environment, ...(settings.cloud.name !== undefined && { cloud: settings.cloud.name }) });
  const connected = await connectCloud(cloud, { transport, signal, ...(settings.client.timeoutMs !== undefined && { timeoutMs: settings.client.timeoutMs }) });
  return { ...settings.client, ...connected, ...(settings.cloud.novaVersionGiven && { novaVersion: settings.client.novaVersion }) };
}
