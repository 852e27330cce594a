import nx from '@nx/eslint-plugin';
import { layeredFolders, noImportCycles } from './tools/lint/layers.mjs';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/vite.config.*.timestamp*', '**/vitest.config.*.timestamp*', 'test-artifacts'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx', '**/*.mjs'],
    rules: {
      // Projects may only depend on what their scope allows: the shared sync library is
      // browser-safe and never reaches into a server or an app.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server'] },
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server', 'scope:tooling'] },
            { sourceTag: 'scope:test', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server', 'scope:api', 'scope:web', 'scope:tooling'] },
          ],
        },
      ],
    },
  },
  noImportCycles,
  // The gateway's modules, bottom up: a module imports only from the layers below its own.
  layeredFolders({
    name: 'api',
    root: 'apps/api/src',
    layers: [
      ['config', 'identity', 'errors'],
      ['logging', 'store', 'sandbox'],
      ['contexts'],
      ['kube'],
      ['auth', 'http'],
      ['socket'],
      ['locks', 'presence'],
      ['edits'],
      ['history'],
      ['admission', 'metrics', 'health', 'resources', 'web'],
      ['realtime'],
      ['test-support'],
    ],
  }),
  // The web app's shared folders, then its features, bottom up; the app shell (App.tsx) sits above them.
  layeredFolders({
    name: 'web',
    root: 'apps/web/src',
    layers: [
      ['api'],
      ['state', 'components', 'navigation', 'slots'],
      ['features/session', 'features/connection'],
      ['features/presence', 'features/contexts'],
      ['features/editor', 'features/history'],
      ['features/browse'],
    ],
  }),
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts', '**/*.spec.tsx', '**/*.e2e.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'A focused test hides the rest of the suite.' },
        { object: 'describe', property: 'only', message: 'A focused test hides the rest of the suite.' },
        { object: 'test', property: 'only', message: 'A focused test hides the rest of the suite.' },
      ],
    },
  },
];
