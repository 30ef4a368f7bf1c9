// Child of profile.mjs: warms up, then records a V8 CPU profile (node:inspector) of `calls`
// sequential stopServer calls against the loopback server and writes it to `out`.
// Usage: node profile-child.mjs PORT token|aksk CALLS OUT
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { createEcsClient, tokenAuth, akskAuth } from '../dist/index.js';
import { TOKEN, AK, SK, PROJECT_ID, SERVER_ID } from './contenders.mjs';

const [port, mode, calls, out] = process.argv.slice(2);
const auth = mode === 'aksk' ? akskAuth({ ak: AK, sk: SK }) : tokenAuth(TOKEN);
const ecs = createEcsClient({ endpoint: `http://127.0.0.1:${port}`, projectId: PROJECT_ID, auth });
for (let i = 0; i < 300; i++) await ecs.stopServer(SERVER_ID, { type: 'SOFT' });

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 500 });
await session.post('Profiler.start');
const start = process.hrtime.bigint();
for (let i = 0; i < Number(calls); i++) await ecs.stopServer(SERVER_ID, { type: 'SOFT' });
const wallUs = Number(process.hrtime.bigint() - start) / 1000;
const { profile } = await session.post('Profiler.stop');
session.disconnect();
writeFileSync(out, JSON.stringify({ profile, wallUs }));
