import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  // Nest resolves constructor injection through decorator metadata, so the transform must emit
  // legacy decorators with `design:paramtypes`, as tsc does for the build.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: { conditions: ['@tandem/source'] },
  test: {
    name: 'api',
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    // A guard against a hang, not a speed check: these tests start whole gateways, and CI shares its
    // two cores with other work.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
