import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { specPath } from './prism.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const spec = parse(readFileSync(specPath, 'utf8')) as JsonObject;

/** Follows a local `$ref` (one level at a time until there is none). */
export function deref<T = JsonObject>(node: unknown): T {
  let current = node as JsonObject;
  while (typeof current.$ref === 'string') {
    const pointer = current.$ref.replace(/^#\//, '').split('/').map(unescapePointer);
    current = pointer.reduce<Json>((at, key) => (at as JsonObject)[key] as Json, spec) as JsonObject;
    if (current === undefined) throw new Error(`Unresolved $ref ${String(node)}`);
  }
  return current as T;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export interface Operation {
  path: string;
  method: string;
  operationId: string;
  operation: JsonObject;
}

export const operations: Operation[] = Object.entries(spec.paths as JsonObject).flatMap(([path, item]) =>
  Object.entries(item as JsonObject)
    .filter(([method]) => ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method))
    .map(([method, operation]) => ({
      path,
      method,
      operation: operation as JsonObject,
      operationId: String((operation as JsonObject).operationId),
    })),
);

const routes = operations.map((op) => ({
  op,
  pattern: new RegExp(`^${op.path.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The operation a request (method and URL path) is for, if the spec has one. */
export function operationFor(method: string, path: string): Operation | undefined {
  return routes.find((r) => r.op.method === method.toLowerCase() && r.pattern.test(path))?.op;
}

export function operation(operationId: string): Operation {
  const found = operations.find((op) => op.operationId === operationId);
  if (!found) throw new Error(`No operation ${operationId}`);
  return found;
}

export interface ResponseExample {
  operationId: string;
  path: string;
  status: string;
  mediaType: string;
  name: string;
  value: Json;
  schema: JsonObject;
}

/** Every named example of every response of every operation. */
export const responseExamples: ResponseExample[] = operations.flatMap(({ operationId, path, operation: op }) =>
  Object.entries(op.responses as JsonObject).flatMap(([status, response]) =>
    Object.entries(deref(response).content ?? {}).flatMap(([mediaType, media]) =>
      Object.entries((media as JsonObject).examples ?? {}).map(([name, example]) => ({
        operationId,
        path,
        status,
        mediaType,
        name,
        value: deref(example).value as Json,
        schema: (media as JsonObject).schema as JsonObject,
      })),
    ),
  ),
);

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addKeyword('example');
// Each component schema becomes an ajv schema of its own, its refs rewritten to match.
const componentSchemas = (spec.components as JsonObject).schemas as JsonObject;
for (const [name, schema] of Object.entries(componentSchemas)) {
  ajv.addSchema(rewriteRefs({ ...(schema as JsonObject), $id: `${name}.json` }));
}

function rewriteRefs<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"').replace(/"\$ref":"([^"#]+)"/g, '"$ref":"$1.json"'));
}

const compiled = new Map<string, ValidateFunction>();

/** A validator for a schema of the document (a component `$ref` or an inline schema). */
export function validator(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(rewriteRefs(schema as JsonObject));
    compiled.set(key, validate);
  }
  return validate;
}

export function componentValidator(name: string): ValidateFunction {
  return validator({ $ref: `#/components/schemas/${name}` });
}

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
