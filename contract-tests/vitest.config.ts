import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The config lives here because the project's top level is fixed; `root` points back at it.
const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          root,
          include: ['contract-tests/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'contract',
          root,
          include: ['contract-tests/contract/**/*.test.ts'],
          globalSetup: ['contract-tests/support/prism-global-setup.ts'],
        },
      },
    ],
  },
});
