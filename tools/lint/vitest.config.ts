import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  test: {
    name: 'lint-rules',
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    reporters: ['default'],
    // ESLint loads the repository's whole config and resolves imports through TypeScript once per run.
    testTimeout: 60_000,
  },
});
