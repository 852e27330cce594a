import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  // Nest relies on decorator metadata, which esbuild/oxc do not emit; swc does.
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } },
    }),
  ],
  resolve: { conditions: ['@tandem/source'] },
  test: {
    name: 'api',
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    testTimeout: 20_000,
  },
});
