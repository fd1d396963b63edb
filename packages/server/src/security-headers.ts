import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The Content-Security-Policy for the built React app: everything from our own origin,
 * nothing inline, no plugins, and no framing (`frame-ancestors 'none'`, with
 * X-Frame-Options for older browsers). Vite's production build emits only external
 * scripts and stylesheets, so no `'unsafe-inline'` is needed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Sets the security headers, the request id and (unless set) `no-store` on a reply. */
export function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(SECURITY_HEADERS);
  reply.header('x-request-id', request.id);
  // API answers and problems may change at any moment: never cache them. Static files
  // set their own Cache-Control (see routes/web.ts).
  if (!reply.hasHeader('cache-control')) {
    reply.header('cache-control', 'no-store');
  }
}

/** Adds the security headers to every response, errors and static files included. */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    applySecurityHeaders(request, reply);
    return payload;
  });
}
