import type { ErrorObject } from 'ajv';
import type { Contract, JsonObject } from './contract.js';

/** One HTTP exchange as it crossed the wire: what a test sent and what the server answered. */
export interface WireExchange {
  request: { method: string; path: string; headers: Record<string, string>; body?: string | undefined };
  response: { status: number; headers: Record<string, string>; body: string };
}

/** Reads what crossed the wire: the request's body is consumed, the response stays readable. */
export async function wireExchange(request: Request, response: Response): Promise<WireExchange> {
  const url = new URL(request.url);
  return {
    request: {
      method: request.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries(request.headers),
      body: request.body === null ? undefined : await request.text(),
    },
    response: { status: response.status, headers: Object.fromEntries(response.headers), body: await response.clone().text() },
  };
}

/**
 * What an exchange shows about a server, judged by a contract:
 * - `problems`: breaches (a request inside the contract answered with an undeclared status, a
 *   declared status in an undeclared shape or with an invalid header, a body where none is declared);
 * - `notes`: a server more lenient than the contract (a request outside it answered with something
 *   other than its refusal), which is not a breach;
 * - `outside`: why the request itself is outside the contract, if it is.
 */
export interface ExchangeVerdict {
  problems: string[];
  notes: string[];
  outside: string | undefined;
}

const lower = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

export function checkExchange(contract: Contract, exchange: WireExchange): ExchangeVerdict {
  const { request, response } = exchange;
  const pathname = new URL(request.path, 'http://x').pathname;
  const where = `${request.method} ${pathname} -> ${response.status}`;
  const problems: string[] = [];
  const notes: string[] = [];
  const op = contract.operationFor(request.method, pathname);
  if (!op) return { problems: [`${where}: no operation of the contract matches`], notes, outside: undefined };

  const outside = requestOutsideContract(contract, op.path, op.operation, request);
  const responses = op.operation.responses as JsonObject;
  const status = String(response.status);
  const listed = responses[status] !== undefined;
  // `default` describes any other error status; a success or redirect must be listed.
  const covered = listed || (response.status >= 400 && responses.default !== undefined);
  if (outside) {
    if (response.status < 400) notes.push(`${where}: accepted a request outside the contract (${outside})`);
    else if (![400, 415].includes(response.status)) notes.push(`${where}: answered ${status}, not a refusal, to a request outside the contract (${outside})`);
  }
  if (!covered) {
    (outside ? notes : problems).push(`${where}: status ${status} is not declared by ${op.operationId}`);
    return { problems, notes, outside };
  }

  const definition = contract.deref(listed ? responses[status] : responses.default);
  const headers = lower(response.headers);
  for (const [name, header] of Object.entries((definition.headers ?? {}) as JsonObject)) {
    const value = headers[name.toLowerCase()];
    if (value === undefined) continue;
    const schema = contract.deref(header).schema as JsonObject;
    const parsed = schema.type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
    const validate = contract.validator(schema);
    if (!validate(parsed)) problems.push(`${where}: header ${name}: ${JSON.stringify(value)} does not match the contract: ${JSON.stringify(validate.errors)}`);
  }

  const content = definition.content as JsonObject | undefined;
  if (!content) {
    if (response.body !== '') problems.push(`${where}: the contract declares no body, but one came: ${response.body.slice(0, 200)}`);
    return { problems, notes, outside };
  }
  const media = content['application/json'] as JsonObject;
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return { problems: [...problems, `${where}: body is not JSON: ${response.body.slice(0, 200)}`], notes, outside };
  }
  const validate = contract.validator(media.schema);
  if (!validate(body)) problems.push(`${where}: body does not match the contract: ${JSON.stringify(validate.errors)} in ${response.body.slice(0, 300)}`);
  return { problems, notes, outside };
}

/** Why a request is outside the contract (body, media type, parameters), or `undefined`. */
function requestOutsideContract(
  contract: Contract,
  template: string,
  operation: JsonObject,
  request: WireExchange['request'],
): string | undefined {
  const headers = lower(request.headers);
  const pathname = new URL(request.path, 'http://x').pathname;
  const values = pathValues(template, pathname);
  for (const parameter of (operation.parameters ?? []) as JsonObject[]) {
    const { name, in: where, required, schema } = contract.deref(parameter);
    const value = where === 'header' ? headers[String(name).toLowerCase()] : where === 'path' ? values[String(name)] : undefined;
    if (value === undefined) {
      if (required) return `${where} parameter ${name} is missing`;
      continue;
    }
    if (!contract.validator(schema)(value)) return `${where} parameter ${name} is ${JSON.stringify(value)}`;
  }
  if (!operation.requestBody) return undefined;
  const requestBody = contract.deref(operation.requestBody);
  const mediaType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const media = (requestBody.content as JsonObject)[mediaType] as JsonObject | undefined;
  if (!media) return `Content-Type ${JSON.stringify(headers['content-type'] ?? '')}`;
  let body: unknown;
  try {
    body = JSON.parse(request.body ?? '');
  } catch {
    return `body ${JSON.stringify((request.body ?? '').slice(0, 80))} is not JSON`;
  }
  const validate = contract.validator(media.schema);
  return validate(body) ? undefined : `body ${(request.body ?? '').slice(0, 80)} fails: ${schemaErrors(validate.errors)}`;
}

/** ajv's errors as one line: `/os-stop/type must be equal to one of the allowed values; ...`. */
function schemaErrors(errors: ErrorObject[] | null | undefined): string {
  return [...new Set((errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? e.keyword}`))].join('; ');
}

/** The path parameters' values, decoded, by the template's names. */
function pathValues(template: string, pathname: string): Record<string, string> {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const pattern = new RegExp(`^${template.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '([^/]+)')}/?$`);
  const match = pattern.exec(pathname);
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match?.[i + 1] ?? '')]));
}
