import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    rules: {
      // Shared by the browser and the gateway: no Node built-ins.
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'http', 'net', 'os', 'crypto'], message: '@tandem/sync runs in the browser too; no Node APIs.' }] }],
    },
  },
];
