import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['@tandem/source'] },
  test: {
    name: 'kube-env',
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    reporters: ['default'],
    // Each test starts a real etcd and kube-apiserver: a cold start takes seconds on two cores.
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
