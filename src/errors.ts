// transitional
export * from './errors/index.js';
export { retryAfterSeconds } from './http.js';
export { parseErrorBody } from './errors/error-body.js';
