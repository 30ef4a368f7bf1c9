// AK/SK signatures per second: ours (node:crypto on Node, as the client signs each call) against
// the official SDK's AKSKSigner.sign on the same request. No traffic: the URL is only signed,
// never sent.
//
// The SDK's row takes the request as a plain description (method, URL, a header object, the body
// as an object it serialises) and returns a header object: it reads no body stream and builds no
// HTTP request (axios does, later, untimed). The row of ours that does the same work from the same
// shape of input is `signer`: signatureHeaders, the function akskAuth signs with, from strings,
// with the body serialised inside the call. The `ours` row is akskAuth as the client signs each
// call: `headersFor` on the request as plain data (the body a string serialised once per client),
// headers out (openapi-fetch's operations too: their Request is read into plain data first).
// `viaRequest` is the same auth through `authorize`, a Request in and a signed Request out, which
// the client uses only for an auth without `headersFor`.
import { akskAuth, signRequest } from '../dist/index.js';
import { hmacWith, signatureHeaders } from '../dist/auth/signing.js';
import { AK, SK, PROJECT_ID, USER_AGENT, BODY, BODY_OBJECT, PATH } from './contenders.mjs';
import { alternate, authorize, sequential, concurrent, summarise } from './lib.mjs';

const URL_TO_SIGN = `http://127.0.0.1:8443${PATH}`;
const makeRequest = () =>
  new Request(URL_TO_SIGN, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Project-Id': PROJECT_ID, 'User-Agent': USER_AGENT },
    body: BODY,
  });
// What the SDK's BaseCredentials.processAuthRequest hands to AKSKSigner.sign for this call.
const makeSdkRequest = (headers = {}) => ({
  endpoint: URL_TO_SIGN,
  method: 'POST',
  url: PATH,
  headers: { 'content-type': 'application/json', 'X-Project-Id': PROJECT_ID, ...headers },
  data: BODY_OBJECT,
  queryParams: {},
});
// The same request for signatureHeaders: header values by lowercase name, as akskAuth reads them.
const SIGNER_HEADERS = { 'content-type': 'application/json', 'x-project-id': PROJECT_ID, 'user-agent': USER_AGENT };
const signerHeaders = { get: (name) => SIGNER_HEADERS[name] };
const signerHmac = hmacWith(SK);
const PLAIN_REQUEST = { method: 'POST', url: URL_TO_SIGN, headers: SIGNER_HEADERS, body: BODY };
const AUTH_CONTEXT = { signal: new AbortController().signal, fetch: () => Promise.reject(new Error('no fetch here')), registerSecret: () => {} };
const signWithStrings = (date = new Date()) =>
  signatureHeaders('POST', URL_TO_SIGN, signerHeaders, JSON.stringify(BODY_OBJECT), { ak: AK, sk: SK }, signerHmac, date);

/** Ours and the SDK's signer on one request and one date: equal signatures mean the same work is measured. */
export async function crossCheck(sdk) {
  const date = new Date('2025-01-02T03:04:05Z');
  const auth = akskAuth({ ak: AK, sk: SK }, { now: () => date });
  const ours = await auth.headersFor(PLAIN_REQUEST, AUTH_CONTEXT);
  const viaRequest = await authorize(auth, makeRequest());
  const result = { ours: ours.authorization, viaRequest: viaRequest.headers.get('authorization') };
  result.signer = (await signWithStrings(date)).authorization;
  if (sdk && !sdk.error) {
    const credentials = new sdk.core.BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT_ID);
    const headers = sdk.AKSKSigner.sign(makeSdkRequest({ 'X-Sdk-Date': '20250102T030405Z' }), credentials);
    result.sdk = headers.Authorization;
  }
  result.same = result.signer === result.ours && result.viaRequest === result.ours && (result.sdk === undefined || result.sdk === result.ours);
  return result;
}

export async function benchSigning({ sdk, rounds, n, parallel, parallelRounds = rounds, budgetMs = Infinity }) {
  const oursAuth = akskAuth({ ak: AK, sk: SK });
  const creds = { ak: AK, sk: SK };
  const contenders = [
    { id: 'req', name: 'building the Request alone (subtracted below)', call: async () => makeRequest() },
    { id: 'ours', name: 'ours: akskAuth.headersFor (node:crypto), per call as the client signs (plain request in, headers out)', call: async () => oursAuth.headersFor(PLAIN_REQUEST, AUTH_CONTEXT) },
    { id: 'viaRequest', name: 'ours: akskAuth.authorize, a Request in and a signed Request out (the client uses it only for an auth without headersFor)', call: () => authorize(oursAuth, makeRequest()) },
    { id: 'oneshot', name: 'ours: signRequest() one-shot (reads the body from a clone)', call: () => signRequest(makeRequest(), creds, new Date()) },
    { id: 'signer', name: 'ours: signatureHeaders from strings (headers out, no Request), the same input and output as the SDK\'s row', call: () => signWithStrings() },
  ];
  let sdkCredentials;
  if (sdk && !sdk.error) {
    sdkCredentials = new sdk.core.BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT_ID);
    contenders.push({ id: 'sdk', name: `Huawei SDK ${sdk.version}: AKSKSigner.sign (node:crypto, synchronous)`, call: async () => sdk.AKSKSigner.sign(makeSdkRequest(), sdkCredentials) });
  }
  const results = await alternate(contenders, rounds, (c) => sequential(c.call, n), { warmup: 30, budgetMs: budgetMs * 0.85, minRounds: 6 });
  // Ours with many signatures in flight (node:crypto hashes on the main thread, so this shows the
  // cost of many pending calls, not extra parallelism).
  const parallelBatches = [];
  for (let r = 0; r < parallelRounds; r++) parallelBatches.push(await concurrent(contenders[1].call, n, parallel));
  const out = { rounds: results.rounds };
  for (const c of contenders) {
    const s = summarise(results.get(c.id));
    // Per round: wall and CPU time per signature, for ratios taken round by round.
    out[c.id] = { name: c.name, perSec: s.rps, usPerCall: 1e6 / s.rps, cpuPerCall: s.cpuPerCall, rounds: { wall: s.roundWallPerCall, cpu: s.roundCpuPerCall } };
  }
  const p = summarise(parallelBatches);
  out.parallel = { name: `ours: akskAuth, ${parallel} in flight`, perSec: p.rps, usPerCall: 1e6 / p.rps, cpuPerCall: p.cpuPerCall };
  const req = out.req.usPerCall;
  // Net of building the Request, for the rows that take one.
  for (const id of ['viaRequest', 'oneshot']) out[id].netPerSec = 1e6 / Math.max(1e-9, out[id].usPerCall - req);
  for (const id of ['ours', 'signer', 'sdk']) if (out[id]) out[id].netPerSec = out[id].perSec;
  return out;
}
