import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The config lives here because the project's top level is fixed; `root` points back at it.
const root = fileURLToPath(new URL('..', import.meta.url));
// With ECS_ENDPOINT set, the contract project checks that endpoint instead of the mock.
const endpointMode = Boolean(process.env.ECS_ENDPOINT);

export default defineConfig({
  root,
  test: {
    // On with --coverage (npm test runs it): the client and CLI code, as every project exercises it.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 95, branches: 95 },
    },
    projects: [
      {
        test: {
          name: 'unit',
          root,
          include: ['contract-tests/unit/**/*.test.ts'],
        },
      },
      {
        // Tests that open sockets, spawn processes or nested vitest runs, run chromium or the build.
        test: {
          name: 'integration',
          root,
          include: ['contract-tests/integration/**/*.test.ts'],
        },
      },
      {
        // A real OpenStack Nova and Keystone, started by the tests (Debian's python3-nova and
        // python3-keystone; skipped loudly without them).
        test: {
          name: 'nova',
          root,
          include: ['contract-tests/nova/**/*.test.ts', 'contract-tests/keystone/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'contract',
          root,
          include: [endpointMode ? 'contract-tests/endpoint/**/*.test.ts' : 'contract-tests/contract/**/*.test.ts'],
          globalSetup: ['contract-tests/support/contract-global-setup.ts'],
        },
      },
    ],
  },
});
