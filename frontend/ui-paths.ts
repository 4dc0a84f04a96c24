// Where the UI's sources and its production build live: the Vite config builds there, and the stack
// serves from there (through the gateway's UI_DIR).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UI_ROOT = dirname(fileURLToPath(import.meta.url));
export const UI_DIST = join(UI_ROOT, 'dist');
