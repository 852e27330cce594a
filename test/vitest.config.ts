import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['@tandem/source'] },
  test: {
    name: 'scenario',
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    testTimeout: 60_000,
    // A real kube-apiserver starts in seconds when warm, longer on a busy two-core machine.
    hookTimeout: 300_000,
    // Scenario tests start real servers and real kubectl processes; on two cores they
    // are more reliable one file at a time.
    fileParallelism: false,
  },
});
