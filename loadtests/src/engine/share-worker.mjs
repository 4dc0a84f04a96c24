// A worker thread does not inherit its parent's TypeScript loader hooks: register tsx here, then load
// the worker itself.
import { tsImport } from 'tsx/esm/api';

await tsImport('./share-worker.ts', import.meta.url);
