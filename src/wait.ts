// transitional
export { checkWaitOptions, waitForShutoff } from './nova/server-wait.js';
export type { Server, StopProgress, WaitOptions } from './nova/server-wait.js';
export { EcsWaitError } from './errors/wait-error.js';
export type { WaitFailure } from './errors/wait-error.js';
