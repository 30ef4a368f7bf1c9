import type { Exchange } from './exchanges.js';
import { operationFor, operations, type JsonObject } from './spec.js';

const declaredStatuses = (op: (typeof operations)[number]) => Object.keys(op.operation.responses as JsonObject);

/** Which declared (operation, status) pairs the exchanges exercised; undeclared statuses count as `default`. */
export function coverageReport(exchanges: Exchange[]) {
  const seen = new Set<string>();
  for (const { method, path, status } of exchanges) {
    const op = operationFor(method, path);
    if (!op) continue;
    const declared = declaredStatuses(op).includes(String(status)) ? String(status) : 'default';
    seen.add(`${op.operationId} ${declared}`);
  }
  const rows = operations.flatMap((op) =>
    declaredStatuses(op).map((status) => ({ key: `${op.operationId} ${status}`, operationId: op.operationId, status })),
  );
  const missing = rows.filter((row) => !seen.has(row.key)).map((row) => row.key);
  const width = Math.max(...rows.map((row) => row.operationId.length));
  const table = [
    `${'operation'.padEnd(width)}  status   exercised`,
    ...rows.map((row) => `${row.operationId.padEnd(width)}  ${row.status.padEnd(7)}  ${seen.has(row.key) ? 'yes' : 'NO'}`),
  ].join('\n');
  return { table, missing };
}
