/// <reference types="vitest/config" />
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * Writes `<file>.br` and `<file>.gz` next to each compressible asset, which the gateway sends to
 * browsers that accept them (apps/api/src/web/web-app.ts): compressed once here, never per request.
 * Brotli quality 9: within a few per cent of 11 at a twentieth of the build time.
 */
function precompressAssets(): Plugin {
  return {
    name: 'tandem:precompress-assets',
    apply: 'build',
    async writeBundle(options) {
      const assets = join(options.dir ?? join(import.meta.dirname, 'dist'), 'assets');
      const files = (await readdir(assets)).filter((f) => /\.(js|css|ttf|svg|json)$/.test(f));
      await Promise.all(
        files.map(async (file) => {
          const raw = await readFile(join(assets, file));
          if (raw.length < 1024) return;
          const [br, gzipped] = await Promise.all([
            brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
            gz(raw, { level: 9 }),
          ]);
          if (br.length < raw.length * 0.9) await writeFile(join(assets, `${file}.br`), br);
          if (gzipped.length < raw.length * 0.9) await writeFile(join(assets, `${file}.gz`), gzipped);
        }),
      );
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/web',
  plugins: [react(), precompressAssets()],
  resolve: { conditions: ['@tandem/source'] },
  server: {
    port: 4200,
    proxy: { '/api': 'http://localhost:4280', '/socket.io': { target: 'http://localhost:4280', ws: true } },
  },
  build: { outDir: 'dist', emptyOutDir: true, reportCompressedSize: false },
  test: {
    name: 'web',
    environment: 'node',
    include: ['src/**/*.spec.ts', 'src/**/*.spec.tsx'],
    passWithNoTests: false,
    // A guard against a hang, not a speed check: CI shares its two cores with other work.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
