import { access } from 'node:fs/promises';

/** Whether a file or directory is there (readable or not): never throws. */
export const pathExists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );
