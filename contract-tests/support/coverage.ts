import type { Exchange } from './exchanges.js';
import { operations, type JsonObject } from './spec.js';

const routes = operations.map((op) => ({
  ...op,
  pattern: new RegExp(`^${op.path.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  statuses: Object.keys(op.operation.responses as JsonObject),
}));

/** Which declared (operation, status) pairs the exchanges exercised; undeclared statuses count as `default`. */
export function coverageReport(exchanges: Exchange[]) {
  const seen = new Set<string>();
  for (const { method, path, status } of exchanges) {
    const route = routes.find((r) => r.method === method.toLowerCase() && r.pattern.test(path));
    if (!route) continue;
    const declared = route.statuses.includes(String(status)) ? String(status) : 'default';
    seen.add(`${route.operationId} ${declared}`);
  }
  const rows = routes.flatMap((r) => r.statuses.map((status) => ({ key: `${r.operationId} ${status}`, operationId: r.operationId, status })));
  const missing = rows.filter((row) => !seen.has(row.key)).map((row) => row.key);
  const width = Math.max(...rows.map((row) => row.operationId.length));
  const table = [
    `${'operation'.padEnd(width)}  status   exercised`,
    ...rows.map((row) => `${row.operationId.padEnd(width)}  ${row.status.padEnd(7)}  ${seen.has(row.key) ? 'yes' : 'NO'}`),
  ].join('\n');
  return { table, missing };
}
