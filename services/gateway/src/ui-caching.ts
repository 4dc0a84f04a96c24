/**
 * How browsers may cache the built web UI: the hashed assets Vite writes under `/assets/` for a
 * year, everything else (index.html, the app shell of a client-side route) revalidated on every
 * load. The gateway serves it so (ui.ts), and the UI image's nginx is rendered from the same.
 */
export const UI_ASSETS_PATH = '/assets/';
export const UI_CACHE_CONTROL = {
  assets: 'public, max-age=31536000, immutable',
  pages: 'no-cache',
} as const;
