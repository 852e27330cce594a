import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['@tandem/source'] },
  test: {
    name: 'kube-sandbox',
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    reporters: ['default'],
    // A guard against a hang, not a speed check: CI shares its two cores with other work, and a
    // property test's thousands of cases can take several times their quiet-machine time there.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
