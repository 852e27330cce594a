/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/web',
  plugins: [react()],
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
  },
});
