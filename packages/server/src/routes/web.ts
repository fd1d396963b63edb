import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../problem.ts';

/**
 * The built web UI (packages/web/dist) at `/`, as a single-page app: a GET for a path that
 * is neither an API route nor a file answers index.html, and the React router takes over.
 */
export interface WebUi {
  /** False when the UI has not been built; pages then answer 503 saying how to build it. */
  readonly available: boolean;
  /** Answers a GET that matched no route and no file: index.html, 404 or 503. */
  fallback(request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

const BUILD_COMMAND = 'npm run build -w @vigil/web';

function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** `/assets/app.js`, `/favicon.ico`: a missing file is a 404, never the app's HTML. */
function looksLikeFile(path: string): boolean {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.includes('.') || path.startsWith('/assets/');
}

/**
 * Registers the static files (when built) on the root instance, so that `reply.sendFile`
 * is available to the root not-found handler that calls `fallback`.
 */
export async function registerWebUi(app: FastifyInstance, distDir: string): Promise<WebUi> {
  const available = existsSync(join(distDir, 'index.html'));
  if (available) {
    await app.register(fastifyStatic, {
      root: distDir,
      prefix: '/',
      wildcard: true,
      index: ['index.html'],
      dotfiles: 'ignore',
      cacheControl: false,
      setHeaders(res, path) {
        // Vite puts a content hash in every asset's name, so assets never change; the
        // HTML that names them must be revalidated on each visit.
        const immutable = path.includes(`${sep}assets${sep}`);
        res.setHeader(
          'cache-control',
          immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  } else {
    app.log.warn(
      { event: 'web-ui-not-built', distDir },
      `the web UI is not built, so / answers 503; run \`${BUILD_COMMAND}\` and restart`,
    );
  }

  return {
    available,
    fallback(request, reply) {
      const path = request.url.split('?', 1)[0] ?? request.url;
      const isPage =
        (request.method === 'GET' || request.method === 'HEAD') &&
        !isApiPath(path) &&
        !looksLikeFile(path);
      if (!isPage) {
        return sendProblem(request, reply, {
          status: 404,
          detail: `There is nothing at ${request.method} ${path}.`,
        });
      }
      if (!available) {
        return sendProblem(request, reply, {
          status: 503,
          code: 'web-ui-not-built',
          detail: `The web UI has not been built. Run \`${BUILD_COMMAND}\`, then restart the server.`,
        });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    },
  };
}
