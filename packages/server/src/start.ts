import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { loadSampleElection, systemClock } from '@vigil/core';
import { openStore, type Store, type StoreLogger } from '@vigil/store';
import { buildServer } from './app.ts';
import { loadElection } from './elections.ts';
import { createHeadSigner, witnessUrlsFromEnv, type HeadSigner } from './head-signer.ts';
import { loadLogKey, type LogKey } from './ledger/log-key.ts';
import { createDemoCredentials, DEMO_CREDENTIALS_FILE } from './auth/demo.ts';
import { seedDemoIntelLogged } from './demo/intel.ts';
import { openRegistry, type RegistryRuntime } from '@vigil/registry';
import { DemoVoters, demoVoterCount } from './demo/voters.ts';

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
  /**
   * The ledger's key file; default `$VIGIL_LOG_KEY_FILE`, else `ledger-log.key` in the
   * data directory (also for PostgreSQL). Created (mode 0600) when missing.
   */
  logKeyFile?: string;
  /** tlog-witness URLs to ask for cosignatures; default `$VIGIL_WITNESS_URLS` (comma-separated). */
  witnessUrls?: readonly string[];
  /** How often to sign a head while the ledger grows (default 30 s). */
  ledgerHeadIntervalMs?: number;
  /**
   * Synthetic demo voters to seed into a fresh store, enrolled in the background after
   * listening (packages/server/src/demo); default `$VIGIL_DEMO_VOTERS`, else 200; 0 for none.
   */
  demoVoters?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** The ledger's signing key (and its public vkey). */
  ledgerKey: LogKey;
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
  // The key first: a missing-and-uncreatable or corrupt key stops the start before
  // anything is opened. It sits next to the SQLite data (or in the default data
  // directory for PostgreSQL), never in the database.
  const ledgerKey = loadLogKey({
    create: true,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.logKeyFile === undefined ? {} : { keyFile: options.logKeyFile }),
  });
  // The store opens before the server (which needs it) exists, so its first log lines
  // wait here and then go to the server's logger, to keep one JSON log stream.
  const storeLog = deferredLogger();
  const store = await openStore({
    ...(options.databaseUrl === undefined ? {} : { url: options.databaseUrl }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    logger: storeLog,
  });
  let built: FastifyInstance | undefined;
  let heads: HeadSigner | undefined;
  let registryRuntime: RegistryRuntime | undefined;
  let demoVoters: DemoVoters | undefined;
  try {
    demoVoters = new DemoVoters({
      dataDir: dataDirOf(options),
      count: demoVoterCount(options.demoVoters),
    });
    const sampleLoaded = await loadSampleIfEmpty(store);
    const registry = await openServedRegistry(store, options);
    if ('registry' in registry) registryRuntime = registry.registry;
    built = await buildServer({
      store,
      logger: options.logger ?? { level: process.env.LOG_LEVEL ?? 'info' },
      ...(options.webDistDir === undefined ? {} : { webDistDir: options.webDistDir }),
      ledgerKey,
      dataDir: dataDirOf(options),
      ...registry,
      demoVoters,
    });
    storeLog.attach(built.log.child({ component: 'store' }));
    const ledgerLog = built.log.child({ component: 'ledger' });
    ledgerLog.info(
      {
        event: ledgerKey.created ? 'ledger-key-created' : 'ledger-key-loaded',
        file: ledgerKey.file,
        vkey: ledgerKey.vkey,
      },
      ledgerKey.created
        ? 'created the ledger signing key; back up the key file and publish the vkey'
        : 'loaded the ledger signing key',
    );
    if ('registryUnavailable' in registry) {
      built.log.error(
        { event: 'registry-unavailable', reason: registry.registryUnavailable },
        'the voter registry did not open; its routes answer 503',
      );
    }
    if (sampleLoaded) {
      const [sample] = await store.listElections();
      built.log.info(
        {
          event: 'sample-election-loaded',
          electionId: sample?.electionId,
          hash: sample?.hash,
        },
        'the store held no election, so the sample election was loaded',
      );
      // A fresh demo store also gets one official of each role and a station, with
      // random secrets in a file of the data folder (never a password in the repository).
      const demo = await createDemoCredentials(store, {
        file: join(dataDirOf(options), DEMO_CREDENTIALS_FILE),
        clock: systemClock,
      });
      if (demo !== undefined) {
        built.log.info(
          { event: 'demo-credentials-created', file: demo.file, officials: demo.officialIds },
          `demo officials and station ${demo.stationId} created; their passwords and token are in ${demo.file}`,
        );
        await seedDemoIntelLogged(store, demo.file, built.log.child({ component: 'demo' }));
      }
      if (registryRuntime !== undefined) {
        await demoVoters.seed(registryRuntime, built.log.child({ component: 'demo' }));
      }
    }
    const witnessUrls = options.witnessUrls ?? witnessUrlsFromEnv();
    heads = createHeadSigner({
      store,
      key: ledgerKey,
      log: ledgerLog,
      witnesses: witnessUrls.map((url) => ({ url })),
      ...(options.ledgerHeadIntervalMs === undefined
        ? {}
        : { intervalMs: options.ledgerHeadIntervalMs }),
    });
    await built.listen({ port: options.port, host: options.host });
    // A head at start covers whatever the ledger holds; witnesses are asked in the
    // background, so that one that is down does not delay the start.
    void heads.tick();
    heads.start();
    // Demo fingerprints take minutes of CPU: they are enrolled after listening.
    demoVoters.start(registryRuntime, built.log.child({ component: 'demo' }));
  } catch (error) {
    await demoVoters?.close();
    await built?.close();
    await registryRuntime?.close();
    await store.close();
    throw error;
  }
  const openedRegistry = registryRuntime;
  const openedDemo = demoVoters;
  const app = built;
  const headSigner = heads;

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
        // The demo's background enrolment stops first, so that nothing appends after
        // the last head; no request can append any more: sign it over everything.
        await openedDemo.close();
        await headSigner.stop();
        await openedRegistry?.close();
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

  return { app, store, ledgerKey, url, close, closed };
}

/**
 * Loads the sample election into an empty store, so that a fresh `npm start` has an
 * election and a roll to work with. True when it did.
 */
async function loadSampleIfEmpty(store: Store): Promise<boolean> {
  if ((await store.countElections()) > 0) return false;
  const loaded = await loadElection(store, loadSampleElection(), systemClock);
  if (!loaded.ok) {
    throw new Error(`the sample election did not load: ${JSON.stringify(loaded.error)}`);
  }
  return true;
}

/**
 * Opens the voter registry over the served election. A registry that cannot open (say,
 * a master key file readable by others) does not stop the server: its routes answer 503
 * with the reason, and everything else runs.
 */
async function openServedRegistry(
  store: Store,
  options: StartServerOptions,
): Promise<{ registry: RegistryRuntime } | { registryUnavailable: string }> {
  const opened = await openRegistry({
    store,
    clock: systemClock,
    dataDir: dataDirOf(options),
    matchThreads: Math.min(availableParallelism(), 4),
  });
  if (opened.ok) return { registry: opened.value };
  const hint = opened.error.hint === undefined ? '' : ` ${opened.error.hint}`;
  return { registryUnavailable: `${opened.error.message}${hint}` };
}

/** The data folder: where the SQLite file and the key live (also with PostgreSQL). */
function dataDirOf(options: StartServerOptions): string {
  return resolve(options.dataDir || process.env.VIGIL_DATA_DIR || './vigil-data');
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
