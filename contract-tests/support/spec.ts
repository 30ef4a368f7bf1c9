import { Contract, readSpec, type Json, type JsonObject, type ResponseExample } from './contract.js';

export type { Json, JsonObject, Operation, ResponseExample } from './contract.js';

/** Huawei's document itself, as most checks use it. */
export const contract = new Contract(readSpec());
export const spec = contract.document;
export const operations = contract.operations;
export const responseExamples = contract.responseExamples;
export const deref = contract.deref.bind(contract) as Contract['deref'];
export const operationFor = contract.operationFor.bind(contract);
export const operation = contract.operation.bind(contract);
export const validator = contract.validator.bind(contract);
export const componentValidator = contract.componentValidator.bind(contract);

export const validProjectId = '77b6a44cba5143ab91d13ab9a8ff44fd';
export const validServerId = '4d8c3732-a248-40ed-bebc-539a6ffd25c0';
export const validJobId = 'ff808082889bd9690189061140c235fe';

/** `count` distinct valid server IDs (`00000000-0000-4000-8000-000000000000`, then ...001, ...). */
export const manyServerIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);

/**
 * A request inside the contract for an operation: each path parameter its documented example,
 * the body its first named request example, no query and no optional header.
 */
export function sampleRequest(operationId: string): { method: string; path: string; body?: string } {
  const { method, path, operation: op } = operation(operationId);
  const shared = ((spec.paths as JsonObject)[path] as JsonObject).parameters ?? [];
  const parameters = [...(shared as Json[]), ...((op.parameters ?? []) as Json[])].map((p) => deref(p));
  const required = parameters.filter((p) => p.required === true && p.in !== 'path').map((p) => String(p.name));
  if (required.length > 0) throw new Error(`${operationId}: no sample for the required ${required.join(', ')}`);
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const example = parameters.find((p) => p.in === 'path' && p.name === name)?.example;
    if (example === undefined) throw new Error(`${operationId}: path parameter ${name} has no example`);
    return encodeURIComponent(String(example));
  });
  if (!op.requestBody) return { method: method.toUpperCase(), path: filled };
  const media = (deref(op.requestBody).content as JsonObject)['application/json'] as JsonObject;
  const [first] = Object.values((media.examples ?? {}) as JsonObject);
  if (first === undefined) throw new Error(`${operationId}: its request body has no named example`);
  return { method: method.toUpperCase(), path: filled, body: JSON.stringify(deref(first).value) };
}

/** The bodies the stop action accepts, as real clients send them. */
export const acceptedStopBodies: Record<string, string> = {
  'Huawei {"os-stop": {}}': '{"os-stop": {}}',
  'Nova/openstacksdk {"os-stop": null}': '{"os-stop": null}',
  'gophercloud {"os-stop":null}': '{"os-stop":null}',
  'SOFT': '{"os-stop": {"type": "SOFT"}}',
  'HARD': '{"os-stop": {"type": "HARD"}}',
};

/** Bodies the stop action must refuse, each for a different reason. */
export const refusedStopBodies: Record<string, string> = {
  'lowercase type': '{"os-stop": {"type": "soft"}}',
  'unknown type': '{"os-stop": {"type": "REBOOT"}}',
  'non-string type': '{"os-stop": {"type": 1}}',
  'null type': '{"os-stop": {"type": null}}',
  'extra key inside os-stop': '{"os-stop": {"type": "SOFT", "force": true}}',
  'another top-level key': '{"os-stop": {}, "os-start": {}}',
  'a different action': '{"os-start": null}',
  'missing os-stop': '{}',
  'os-stop is a string': '{"os-stop": "SOFT"}',
  'os-stop is an array': '{"os-stop": []}',
  'body is an array': '[{"os-stop": {}}]',
  'body is a string': '"os-stop"',
  'body is null': 'null',
};

/** Batch stop bodies inside the contract (the mock answers each with a job). */
export const acceptedBatchStopBodies: Record<string, string> = {
  'one server': JSON.stringify({ 'os-stop': { servers: [{ id: validServerId }] } }),
  'one server, SOFT': JSON.stringify({ 'os-stop': { type: 'SOFT', servers: [{ id: validServerId }] } }),
  'one server, HARD': JSON.stringify({ 'os-stop': { type: 'HARD', servers: [{ id: validServerId }] } }),
  '1,000 servers': JSON.stringify({ 'os-stop': { servers: manyServerIds(1000).map((id) => ({ id })) } }),
  '1,000 servers, HARD': JSON.stringify({ 'os-stop': { type: 'HARD', servers: manyServerIds(1000).map((id) => ({ id })) } }),
  'a server ID in capitals': JSON.stringify({ 'os-stop': { servers: [{ id: validServerId.toUpperCase() }] } }),
};

/** Batch stop bodies outside the contract, each for a different reason. */
export const refusedBatchStopBodies: Record<string, string> = {
  'an empty server list': '{"os-stop": {"servers": []}}',
  '1,001 servers': JSON.stringify({ 'os-stop': { servers: manyServerIds(1001).map((id) => ({ id })) } }),
  'the same server twice': JSON.stringify({ 'os-stop': { servers: [{ id: validServerId }, { id: validServerId }] } }),
  'a server ID that is not a UUID': '{"os-stop": {"servers": [{"id": "not-a-uuid"}]}}',
  'a server given as a bare string': JSON.stringify({ 'os-stop': { servers: [validServerId] } }),
  'servers as an object': JSON.stringify({ 'os-stop': { servers: { id: validServerId } } }),
  'an extra key inside os-stop': JSON.stringify({ 'os-stop': { servers: [{ id: validServerId }], force: true } }),
  'an extra key beside a server id': JSON.stringify({ 'os-stop': { servers: [{ id: validServerId, name: 'web' }] } }),
  'another top-level key': JSON.stringify({ 'os-stop': { servers: [{ id: validServerId }] }, 'os-start': {} }),
  'missing servers': '{"os-stop": {"type": "SOFT"}}',
  "the Nova stop's body": '{"os-stop": {}}',
  'os-stop null': '{"os-stop": null}',
  'lowercase type': JSON.stringify({ 'os-stop': { type: 'soft', servers: [{ id: validServerId }] } }),
};

/** A named response example, once: the same example declared by several operations' responses is one. */
export interface NamedExample {
  /** `404 itemNotFound`, with `of <operationId>` where two different examples share status and name. */
  label: string;
  status: string;
  name: string;
  value: JsonValue;
  schema: JsonObject;
  /** Every (operation, status) that declares it. */
  uses: ResponseExample[];
}
type JsonValue = ResponseExample['value'];

/** Each named response example of the document once, with every response that declares it. */
export const namedResponseExamples: NamedExample[] = (() => {
  const groups = new Map<string, NamedExample>();
  for (const example of responseExamples) {
    const key = JSON.stringify([example.status, example.name, example.value, example.schema]);
    const group = groups.get(key);
    if (group) group.uses.push(example);
    else groups.set(key, { label: `${example.status} ${example.name}`, status: example.status, name: example.name, value: example.value, schema: example.schema, uses: [example] });
  }
  const named = [...groups.values()];
  const shared = new Set(named.filter((example, i) => named.findIndex((other) => other.label === example.label) !== i).map((example) => example.label));
  for (const example of named) if (shared.has(example.label)) example.label += ` of ${example.uses[0]!.operationId}`;
  return named;
})();
