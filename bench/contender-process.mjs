// One contender in a process of its own, so that no contender's garbage, heap growth or JIT
// state lands on another's batches (each has its own heap and its own GC; CPU is this process's).
// Started by startContender() in contenders.mjs: `node --expose-gc contender-process.mjs PORT ID
// WARMUP`. Makes WARMUP unmeasured calls (JIT, sockets), then says `{ ready, name, node }` (or `{ error }`) once it can call, then answers each
// `{ batch: { mode, n, c, warmup } }` with the batch's figures and `{ stats }` with its heap after
// a full GC then and after the warm-up; exits on `{ exit }` or when the parent goes away.
import { checkNodeVariant, createContenders, loadNodeTransport, loadSdk } from './contenders.mjs';
import { concurrent, sequential } from './lib.mjs';

const [port, id, warmup = '0'] = process.argv.slice(2);
const send = (message) => new Promise((resolve) => process.send(message, resolve));

async function setUp() {
  const sdk = id === '4' ? loadSdk() : { error: new Error('not needed here') };
  if (sdk.error && id === '4') throw sdk.error;
  const nodeSide = id === '5' || id === '5s';
  let list = createContenders(Number(port), sdk, nodeSide ? await loadNodeTransport() : {});
  if (nodeSide) {
    // (5) and (5s) must send without the global fetch; a nodeTransport() that does not is
    // replaced by the prototype, with the reason.
    let problem = await checkNodeVariant(list.node);
    if (problem && list.node.kind === 'nodeTransport') {
      for (const c of list) c.close?.();
      list = createContenders(Number(port), sdk, { reason: `createEcsClient({ transport: nodeTransport() }) did not send without the global fetch (${problem})` });
      problem = await checkNodeVariant(list.node);
    }
    if (problem) throw new Error(`(${id}) failed: ${problem}`);
  }
  for (const c of list) if (c.id !== id) c.close?.();
  const contender = list.find((c) => c.id === id);
  if (!contender) throw new Error(`no contender (${id})`);
  for (let i = 0; i < Number(warmup); i++) await contender.call();
  const { kind, label, reason } = list.node;
  return { contender, node: nodeSide ? { kind, label, reason } : undefined };
}

const gc = globalThis.gc ?? (() => {});
const heapAfterGc = () => {
  gc();
  return process.memoryUsage().heapUsed;
};
let contender;
let calls = 0;
let heapStart;
try {
  const ready = await setUp();
  contender = ready.contender;
  heapStart = heapAfterGc();
  await send({ ready: true, name: contender.name, node: ready.node });
} catch (error) {
  await send({ error: String(error?.stack ?? error) });
  process.exit(1);
}

process.on('disconnect', () => process.exit(0));
process.on('message', async (message) => {
  if (message.exit) {
    contender.close?.();
    process.exit(0);
  }
  // What the heap kept, after a full GC, over the calls since the warm-up.
  if (message.stats) return send({ stats: { heapStart, heapEnd: heapAfterGc(), calls } });
  const { mode, n, c, warmup } = message.batch;
  try {
    for (let i = 0; i < warmup; i++) await contender.call();
    const r = mode === 'seq' ? await sequential(contender.call, n) : await concurrent(contender.call, n, c);
    calls += warmup + n;
    await send({ result: { latencies: Array.from(r.latencies), wallUs: r.wallUs, cpuUs: r.cpuUs, calls: r.calls } });
  } catch (error) {
    await send({ error: String(error?.stack ?? error) });
    process.exit(1);
  }
});
