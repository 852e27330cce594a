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
    testTimeout: 20_000,
  },
});
