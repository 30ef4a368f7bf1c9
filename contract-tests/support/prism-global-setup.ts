import type { TestProject } from 'vitest/node';
import { specPath, startPrism } from './prism.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mockUrl: string;
  }
}

/** One Prism mock of spec/openapi.yaml for the whole contract project; always stopped. */
export default async function setup(project: TestProject) {
  const prism = await startPrism(['mock', specPath, '--errors']);
  project.provide('mockUrl', prism.url);
  const stopOnSignal = () => void prism.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  return async () => {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await prism.stop();
  };
}
