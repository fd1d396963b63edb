import { fileURLToPath } from 'node:url';

/** Folder of the built web UI, served by the server at `/`. */
export const webDistDir = fileURLToPath(new URL('../dist', import.meta.url));
