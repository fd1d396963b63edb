import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { loadSampleElection, systemClock } from '@vigil/core';
import { openStore, type Store, type StoreLogger } from '@vigil/store';
import { buildServer } from './app.ts';
import { loadElection } from './elections.ts';

export interface StartServerOptions {
  port: number;
  host: string;
  /** `postgres://…` selects PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string;
  /** SQLite's folder; the store's default (VIGIL_DATA_DIR or ./vigil-data) when omitted. */
  dataDir?: string;
  logger?: FastifyServerOptions['logger'];
  webDistDir?: string;
  /** Stop gracefully on SIGINT and SIGTERM (default true; tests turn it off). */
  handleSignals?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Stops accepting requests, lets those in flight finish, then closes the store. */
  close(): Promise<void>;
  /** Settles once the server has stopped, whoever stopped it. */
  closed: Promise<void>;
}

/** How long a graceful stop may take before the process gives up waiting. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Opens the store, loads the sample county election when the store holds none (so a
 * fresh `npm start` has something to show), and listens.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  // The store opens before the server (which needs it) exists, so its first log lines
  // wait here and then go to the server's logger, to keep one JSON log stream.
  const storeLog = deferredLogger();
  const store = await openStore({
    ...(options.databaseUrl === undefined ? {} : { url: options.databaseUrl }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    logger: storeLog,
  });
  let built: FastifyInstance | undefined;
  try {
    built = await buildServer({
      store,
      logger: options.logger ?? { level: process.env.LOG_LEVEL ?? 'info' },
      ...(options.webDistDir === undefined ? {} : { webDistDir: options.webDistDir }),
    });
    storeLog.attach(built.log.child({ component: 'store' }));
    if ((await store.countElections()) === 0) {
      const loaded = await loadElection(store, loadSampleElection(), systemClock);
      if (!loaded.ok) {
        throw new Error(`the sample election did not load: ${JSON.stringify(loaded.error)}`);
      }
      built.log.info(
        {
          event: 'sample-election-loaded',
          electionId: loaded.value.electionId,
          hash: loaded.value.hash,
        },
        'the store held no election, so the sample election was loaded',
      );
    }
    await built.listen({ port: options.port, host: options.host });
  } catch (error) {
    await built?.close();
    await store.close();
    throw error;
  }
  const app = built;

  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;

  let closing: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await app.close();
      } finally {
        await store.close();
        app.log.info({ event: 'server-stopped' }, 'server stopped; store closed');
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolveClosed();
      }
    })();
    return closing;
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (closing !== undefined) {
      app.log.warn(
        { event: 'server-stop-forced', signal },
        'second signal while stopping: exiting at once',
      );
      process.exit(1);
    }
    app.log.info({ event: 'server-stopping', signal }, 'received signal: stopping gracefully');
    // If a request or the database hangs, exit anyway rather than ignore the operator.
    setTimeout(() => {
      app.log.error({ event: 'server-stop-timeout' }, 'graceful stop took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    close().catch((error: unknown) => {
      app.log.error({ event: 'server-stop-failed', err: error }, 'error while stopping');
      process.exitCode = 1;
    });
  }

  if (options.handleSignals ?? true) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  return { app, store, url, close, closed };
}

/** A StoreLogger that holds lines until it is attached to the real logger. */
function deferredLogger(): StoreLogger & { attach(target: StoreLogger): void } {
  let target: StoreLogger | undefined;
  const held: { level: 'info' | 'warn'; fields: Record<string, unknown>; message: string }[] = [];
  const log =
    (level: 'info' | 'warn') =>
    (fields: Record<string, unknown>, message: string): void => {
      if (target === undefined) held.push({ level, fields, message });
      else target[level](fields, message);
    };
  return {
    info: log('info'),
    warn: log('warn'),
    attach(to) {
      target = to;
      for (const line of held.splice(0)) to[line.level](line.fields, line.message);
    },
  };
}
