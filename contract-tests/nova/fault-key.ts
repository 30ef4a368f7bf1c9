/**
 * What an answer's body is, without its text: its only top-level key (a Nova fault's name,
 * `error`, `server`, `versions`, ...), `empty` for no body, `json` for any other JSON, `text`
 * otherwise. Checks compare these, never messages (Nova's texts change between releases).
 */
export function faultKey(body: string): string {
  if (body === '') return 'empty';
  try {
    const value = JSON.parse(body) as unknown;
    const keys = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
    return keys.length === 1 ? keys[0]! : 'json';
  } catch {
    return 'text';
  }
}
