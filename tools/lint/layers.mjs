import boundaries from 'eslint-plugin-boundaries';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** No file may reach itself through its imports, in any project (type-only imports included). */
export const noImportCycles = {
  files: ['**/*.ts', '**/*.tsx'],
  plugins: { 'import-x': importX },
  settings: {
    ...importX.flatConfigs.typescript.settings,
    'import-x/resolver': undefined,
    'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })],
  },
  rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
};

/**
 * Builds the ESLint config that keeps the arrows between an app's folders one-way: `layers` lists
 * the folders of `root` from the bottom up, and a folder may import only from folders in lower
 * layers (never from its own layer or above), so no two folders can import each other. Files
 * directly in `root` (bootstrap, the app module) sit above every layer. Packages (`@tandem/*`, npm)
 * are left to `@nx/enforce-module-boundaries`.
 */
export function layeredFolders({ name, root, layers }) {
  const typeOf = (folder) => `${name}/${folder}`;
  const elements = layers.flatMap((layer) => layer.map((folder) => ({ type: typeOf(folder), pattern: `${root}/${folder}` })));
  const policies = layers.flatMap((layer, index) =>
    layer.map((folder) => ({
      from: { element: { type: typeOf(folder) } },
      allow: { to: { element: { types: { anyOf: [typeOf(folder), ...layers.slice(0, index).flat().map(typeOf)] } } } },
    })),
  );
  return {
    files: [`${root}/**/*.ts`, `${root}/**/*.tsx`],
    // A test may use the test support, which starts the whole app; what it tests still follows the layers.
    ignores: ['**/*.spec.ts', '**/*.spec.tsx'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'import/resolver': { typescript: { alwaysTryTypes: true } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies }],
    },
  };
}
