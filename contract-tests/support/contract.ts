import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openapiOverlay } from 'openapi-format';
import { parse } from 'yaml';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const specUrl = new URL('../../generated/openapi.yaml', import.meta.url);

/** The profiles of the contract: Huawei's document itself, or it with an overlay for another cloud. */
export const profiles = {
  huawei: undefined,
  'upstream-nova': new URL('../../spec/overlays/upstream-nova.yaml', import.meta.url),
} as const;
export type ProfileName = keyof typeof profiles;

export interface Operation {
  path: string;
  method: string;
  operationId: string;
  operation: JsonObject;
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

/** One OpenAPI document, ready to look up operations and validate values against its schemas. */
export class Contract {
  readonly operations: Operation[];
  readonly responseExamples: ResponseExample[];
  readonly #ajv = new Ajv2020({ allErrors: true, strict: true });
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #routes: { op: Operation; pattern: RegExp }[];

  constructor(readonly document: JsonObject) {
    this.operations = Object.entries(document.paths as JsonObject).flatMap(([path, item]) =>
      Object.entries(item as JsonObject)
        .filter(([method]) => ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method))
        .map(([method, operation]) => ({
          path,
          method,
          operation: operation as JsonObject,
          operationId: String((operation as JsonObject).operationId),
        })),
    );
    this.#routes = this.operations.map((op) => ({
      op,
      pattern: new RegExp(`^${op.path.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
    this.responseExamples = this.operations.flatMap(({ operationId, path, operation: op }) =>
      Object.entries(op.responses as JsonObject).flatMap(([status, response]) =>
        Object.entries(this.deref(response).content ?? {}).flatMap(([mediaType, media]) =>
          Object.entries((media as JsonObject).examples ?? {}).map(([name, example]) => ({
            operationId,
            path,
            status,
            mediaType,
            name,
            value: this.deref(example).value as Json,
            schema: (media as JsonObject).schema as JsonObject,
          })),
        ),
      ),
    );
    addFormats(this.#ajv);
    this.#ajv.addKeyword('example');
    // Each component schema becomes an ajv schema of its own, its refs rewritten to match.
    const schemas = (document.components as JsonObject).schemas as JsonObject;
    for (const [name, schema] of Object.entries(schemas)) {
      this.#ajv.addSchema(rewriteRefs({ ...(schema as JsonObject), $id: `${name}.json` }));
    }
  }

  /** Follows a local `$ref` (one level at a time until there is none). */
  deref<T = JsonObject>(node: unknown): T {
    let current = node as JsonObject;
    while (typeof current.$ref === 'string') {
      const pointer = current.$ref.replace(/^#\//, '').split('/').map(unescapePointer);
      current = pointer.reduce<Json>((at, key) => (at as JsonObject)?.[key] as Json, this.document) as JsonObject;
      if (current === undefined) throw new Error(`Unresolved $ref ${JSON.stringify(node)}`);
    }
    return current as T;
  }

  /**
   * The operation a request (method and URL path) is for, if the document has one. A path
   * without parameters is also served with a trailing slash (`/v2.1/`), as Nova does.
   */
  operationFor(method: string, path: string): Operation | undefined {
    const find = (candidate: string) =>
      this.#routes.find((r) => r.op.method === method.toLowerCase() && r.pattern.test(candidate))?.op;
    const found = find(path);
    if (found || !/.\/$/.test(path)) return found;
    const trimmed = find(path.slice(0, -1));
    return trimmed && !trimmed.path.includes('{') ? trimmed : undefined;
  }

  operation(operationId: string): Operation {
    const found = this.operations.find((op) => op.operationId === operationId);
    if (!found) throw new Error(`No operation ${operationId}`);
    return found;
  }

  /** A validator for a schema of the document (a component `$ref` or an inline schema). */
  validator(schema: unknown): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.#compiled.get(key);
    if (!validate) {
      validate = this.#ajv.compile(rewriteRefs(schema as JsonObject));
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  componentValidator(name: string): ValidateFunction {
    return this.validator({ $ref: `#/components/schemas/${name}` });
  }
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function rewriteRefs<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"').replace(/"\$ref":"([^"#]+)"/g, '"$ref":"$1.json"'));
}

export function readSpec(): JsonObject {
  return parse(readFileSync(specUrl, 'utf8')) as JsonObject;
}

/** The document of a profile: the spec, with the profile's overlay applied. */
export async function profileDocument(name: ProfileName): Promise<JsonObject> {
  const overlayFile = profiles[name];
  if (!overlayFile) return readSpec();
  return applyOverlay(readSpec(), parse(readFileSync(overlayFile, 'utf8')) as JsonObject);
}

/** Applies an OpenAPI Overlay 1.0 document; an action whose target matches nothing is an error. */
export async function applyOverlay(document: JsonObject, overlaySet: JsonObject): Promise<JsonObject> {
  const { data, resultData } = (await openapiOverlay(document, { overlaySet } as Parameters<typeof openapiOverlay>[1])) as {
    data: JsonObject;
    resultData: { totalUnusedActions: number; unusedActions: unknown[] };
  };
  if (resultData.totalUnusedActions > 0) {
    throw new Error(`overlay actions that matched nothing: ${JSON.stringify(resultData.unusedActions)}`);
  }
  return data;
}

const loaded = new Map<ProfileName, Promise<Contract>>();

/** The contract of a profile, loaded once. */
export function contractFor(name: ProfileName): Promise<Contract> {
  let contract = loaded.get(name);
  if (!contract) {
    contract = profileDocument(name).then((document) => new Contract(document));
    loaded.set(name, contract);
  }
  return contract;
}
