// Child of profile.mjs: warms up, then records a V8 CPU profile (node:inspector) of `calls`
// sequential stopServer calls (fewer if they take more than MAX_S seconds) against the loopback
// server and writes it, with the number of calls made, to `out`.
// Usage: node profile-child.mjs PORT token|aksk CALLS OUT [MAX_S]
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { createEcsClient, tokenAuth, akskAuth } from '../dist/index.js';
import { TOKEN, AK, SK, PROJECT_ID, SERVER_ID } from './contenders.mjs';

const [port, mode, calls, out, maxS = '600'] = process.argv.slice(2);
const auth = mode === 'aksk' ? akskAuth({ ak: AK, sk: SK }) : tokenAuth(TOKEN);
const ecs = createEcsClient({ endpoint: `http://127.0.0.1:${port}`, projectId: PROJECT_ID, auth });
for (let i = 0; i < 300; i++) await ecs.stopServer(SERVER_ID, { type: 'SOFT' });

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 500 });
await session.post('Profiler.start');
const start = process.hrtime.bigint();
const maxNs = BigInt(Math.round(Number(maxS) * 1e9));
let done = 0;
while (done < Number(calls) && process.hrtime.bigint() - start < maxNs) {
  await ecs.stopServer(SERVER_ID, { type: 'SOFT' });
  done++;
}
const wallUs = Number(process.hrtime.bigint() - start) / 1000;
const { profile } = await session.post('Profiler.stop');
session.disconnect();
writeFileSync(out, JSON.stringify({ profile, wallUs, calls: done }));
