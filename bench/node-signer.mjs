// PROTOTYPE, used only in the profile: the same AK/SK signature as src/auth.ts, with
// node:crypto's synchronous hash and HMAC in place of Web Crypto's (which answers each digest
// through the thread pool and a promise). It reuses the package's own canonical-request code,
// so only the hashing differs. Not part of the package: Web Crypto is what lets auth.ts run on
// Deno, Bun and browsers too; a Node-only fast path would have to keep that.
import { createHash, createHmac } from 'node:crypto';
import { canonicalRequest, formatSdkDate } from '../dist/auth.js';

const ALGORITHM = 'SDK-HMAC-SHA256';
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** An EcsAuth-shaped object (what createEcsClient checks for) signing with node:crypto. */
export function nodeCryptoAksk({ ak, sk }, { now = () => new Date() } = {}) {
  const onRequest = async ({ request }) => {
    const sdkDate = formatSdkDate(now());
    const body = request.body === null ? null : new Uint8Array(await request.clone().arrayBuffer());
    const headers = new Headers(request.headers);
    headers.set('X-Sdk-Date', sdkDate);
    const canonical = canonicalRequest(request.method, request.url, headers, sha256(body ?? ''));
    const signature = createHmac('sha256', sk)
      .update(`${ALGORITHM}\n${sdkDate}\n${sha256(canonical.canonicalRequest)}`)
      .digest('hex');
    headers.set('Authorization', `${ALGORITHM} Access=${ak}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`);
    return new Request(request, body === null ? { headers } : { headers, body });
  };
  return Object.freeze({ kind: 'aksk', middleware: Object.freeze({ onRequest }) });
}
