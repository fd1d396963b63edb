import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { systemClock, type Clock } from '@vigil/core';
import type { Store } from '@vigil/store';
import { webDistDir as defaultWebDistDir } from '@vigil/web';
import { handleError } from './problem.ts';
import { addSecurityHeaders, applySecurityHeaders } from './security-headers.ts';
import { electionRoutes } from './routes/elections.ts';
import { healthRoutes } from './routes/health.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { auditRoutes } from './routes/audits.ts';
import { taxiiRoutes } from './routes/taxii.ts';
import { authRoutes } from './auth/routes.ts';
import type { LogKey } from './ledger/log-key.ts';
import { registerWebUi } from './routes/web.ts';
import { registryRoutes } from './routes/registry.ts';
import { ballotBoxRoutes } from './routes/ballot-box.ts';
import { demoRoutes } from './routes/demo.ts';
import type { DemoVoters } from './demo/voters.ts';
import { dashboardRoutes } from './routes/dashboards.ts';
import { intelConsoleRoutes } from './routes/intel-console.ts';
import { enrolmentTemplateRoutes } from './routes/enrolment-templates.ts';
import type { RegistryRuntime } from '@vigil/registry';

export interface BuildServerOptions {
  store: Store;
  /** Fastify's pino logger: `true` for JSON logs at info, pino options, or `false` (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Folder of the built web UI; defaults to packages/web/dist. */
  webDistDir?: string;
  /** Source of `loadedAt` times; the system clock unless a test fixes it. */
  clock?: Clock;
  /**
   * The ledger's signing key. With it, `GET /api/ledger/checkpoint` signs a fresh head
   * when the ledger grew; without it the ledger routes serve only what is stored.
   */
  ledgerKey?: LogKey;
  /**
   * The voter registry (roll, enrolment, check-in, credentials). Without it the registry
   * routes answer 503 with `registryUnavailable` as the reason.
   */
  registry?: RegistryRuntime;
  registryUnavailable?: string;
  /** The data folder: the ballot box keeps each election's record in `<dataDir>/records`. */
  dataDir?: string;
  /** Cast or challenged ballots per shuffled batch of ledger entries (default 10). */
  ballotPublicationBatch?: number;
  /** The demo voters and their scanner (packages/server/src/demo), when `npm start` runs the demo. */
  demoVoters?: DemoVoters;
}

/**
 * Wires the HTTP API and the web UI to a store. Pure wiring: it neither listens nor opens
 * anything, so tests drive it with `app.inject` and `startServer` adds the network.
 */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Each request gets a random id, logged on every line about it and returned in
    // X-Request-Id and in problem details, so a user's report leads to the log. Ids sent
    // by clients are not trusted (Fastify 5's default).
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Routes that take larger bodies (election definitions) raise this for themselves.
    bodyLimit: 64 * 1024,
    // A URL that does not even decode is answered by the router before any route; send it
    // through the same error handler so that it too is a problem document.
    // Hooks do not run for these, so the headers are set here.
    frameworkErrors: (error, request, reply) => {
      applySecurityHeaders(request, reply);
      handleError(error, request, reply);
    },
  });

  app.setErrorHandler(handleError);
  addSecurityHeaders(app);

  const web = await registerWebUi(app, options.webDistDir ?? defaultWebDistDir);
  app.setNotFoundHandler((request, reply) => web.fallback(request, reply));

  await app.register(healthRoutes, { store: options.store });
  await app.register(electionRoutes, {
    store: options.store,
    clock: options.clock ?? systemClock,
  });
  await app.register(ledgerRoutes, {
    store: options.store,
    clock: options.clock ?? systemClock,
    ...(options.ledgerKey === undefined ? {} : { ledgerKey: options.ledgerKey }),
  });
  await app.register(auditRoutes, {
    store: options.store,
    clock: options.clock ?? systemClock,
  });
  await app.register(authRoutes, { store: options.store, clock: options.clock ?? systemClock });
  await app.register(registryRoutes, {
    registry: options.registry,
    ...(options.registryUnavailable === undefined
      ? {}
      : { unavailable: options.registryUnavailable }),
  });
  await app.register(demoRoutes, {
    store: options.store,
    clock: options.clock ?? systemClock,
    demo: options.demoVoters,
  });
  await app.register(enrolmentTemplateRoutes, { registry: options.registry });
  await app.register(dashboardRoutes, {
    store: options.store,
    clock: options.clock ?? systemClock,
  });
  await app.register(intelConsoleRoutes, {
    store: options.store,
    clock: options.clock ?? systemClock,
  });
  await app.register(ballotBoxRoutes, {
    store: options.store,
    registry: options.registry,
    dataDir: options.dataDir,
    unavailable: options.registryUnavailable,
    ledgerKey: options.ledgerKey,
    clock: options.clock,
    publicationBatch: options.ballotPublicationBatch,
  });
  await app.register(taxiiRoutes, {
    prefix: '/taxii2',
    store: options.store,
    clock: options.clock ?? systemClock,
  });
  return app;
}
