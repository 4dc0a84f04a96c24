import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { UI_DIST } from './ui-paths.ts';

// `pnpm ui:dev` (hot reload) sets these from the topology: the dev server proxies the API to the
// gateway of the local `pnpm stack:up` stack.
const host = process.env.UI_DEV_HOST ?? '127.0.0.1';
const gateway = process.env.UI_DEV_GATEWAY;

export default defineConfig({
  plugins: [react()],
  build: { outDir: UI_DIST, emptyOutDir: true, manifest: true, sourcemap: true },
  server: {
    host,
    port: 5173,
    strictPort: true,
    ...(gateway ? { proxy: { '/api': { target: gateway, changeOrigin: true } } } : {}),
  },
});
