import { Contract, readSpec } from './contract.js';

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

import type { JsonObject, ResponseExample } from './contract.js';

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
