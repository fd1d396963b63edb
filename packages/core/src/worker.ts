import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * The URL to start a worker thread on a TypeScript module. Vigil runs TypeScript through
 * tsx without a build, and on Node 20 `--import tsx` in a worker's execArgv is not
 * honoured, so the worker starts from a tiny `data:` module that registers tsx's loader
 * and then imports the real one. Node-only: exported as `@vigil/core/worker`, not from
 * the package index, which the browser build also reads.
 *
 * @example
 *   const worker = new Worker(typeScriptWorkerUrl(new URL('./worker.ts', import.meta.url)));
 */
export function typeScriptWorkerUrl(module: URL): URL {
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(module.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}
