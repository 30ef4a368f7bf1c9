export { checkAuth, makeAuth } from './strategy.js';
export type { AuthContext, EcsAuth } from './strategy.js';
export { tokenAuth } from './token.js';
export type { TokenProviderContext } from './token.js';
export { akskAuth, signRequest } from './aksk.js';
export type { AkSkCredentials, AkSkOptions } from './aksk.js';
export { canonicalQueryString, canonicalRequest, canonicalUri, formatSdkDate } from './signing.js';
