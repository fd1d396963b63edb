import type { FastifyBaseLogger } from 'fastify';
import { systemClock, type Clock } from '@vigil/core';
import { parseNote } from '@vigil/ledger';
import type { Store } from '@vigil/store';
import { requestCosignatures, signLedgerHead, type WitnessEndpoint } from './ledger/checkpoints.ts';
import type { LogKey } from './ledger/log-key.ts';

/** How often the running server signs a head when the ledger grew. */
export const HEAD_INTERVAL_MS = 30_000;

/**
 * The witness URLs in `VIGIL_WITNESS_URLS` (comma-separated; blanks ignored). Each is a
 * tlog-witness submission prefix: the log posts to `<url>/add-checkpoint`.
 */
export function witnessUrlsFromEnv(value = process.env.VIGIL_WITNESS_URLS): string[] {
  return (value ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
}

export interface HeadSignerOptions {
  store: Store;
  key: LogKey;
  log: FastifyBaseLogger;
  witnesses?: readonly WitnessEndpoint[];
  intervalMs?: number;
  clock?: Clock;
  /** Per witness request; shorter for the final head, so that a stop is not held up. */
  witnessTimeoutMs?: number;
}

export interface HeadSigner {
  /** Signs a head now if the ledger grew (and retries witnesses that failed). */
  tick(): Promise<void>;
  /** Starts the interval (unref'd: it never keeps the process alive). */
  start(): void;
  /** Stops the interval, waits for a tick in progress, and signs a final head. */
  stop(): Promise<void>;
}

/**
 * Keeps the signed head up to date: at start, every `intervalMs` while the ledger grows,
 * and once more at a graceful stop, so that the last entries are covered by a checkpoint.
 * Each new head is sent to the configured witnesses; a witness that fails is asked again
 * at the next tick. Failures are logged, never thrown: a witness that is down must not
 * stop the server.
 */
export function createHeadSigner(options: HeadSignerOptions): HeadSigner {
  const { store, key, log } = options;
  const witnesses = options.witnesses ?? [];
  const clock = options.clock ?? systemClock;
  let signedSize = -1;
  /** Witnesses that have not cosigned the latest head yet. */
  let pending: readonly WitnessEndpoint[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const cosign = async (timeoutMs: number | undefined): Promise<void> => {
    const head = await store.latestLedgerHead();
    if (head === undefined || pending.length === 0) return;
    const outcomes = await requestCosignatures(
      store,
      head,
      pending,
      timeoutMs === undefined ? {} : { timeoutMs },
    );
    const failed = new Set<string>();
    for (const outcome of outcomes) {
      if (outcome.ok) {
        log.info(
          { event: 'ledger-head-cosigned', size: head.size, witness: outcome.url },
          `witness cosigned the ledger head at size ${head.size}: ${outcome.message}`,
        );
      } else {
        failed.add(outcome.url);
        log.warn(
          { event: 'ledger-cosign-failed', size: head.size, witness: outcome.url },
          `witness did not cosign the ledger head at size ${head.size}: ${outcome.message}`,
        );
      }
    }
    pending = pending.filter((w) => failed.has(w.url));
  };

  const step = async (timeoutMs?: number): Promise<void> => {
    try {
      const size = await store.ledgerSize();
      if (size !== signedSize) {
        const existing = await store.ledgerHead(size);
        const head = existing ?? (await signLedgerHead(store, key.key, clock));
        if (existing === undefined) {
          log.info(
            { event: 'ledger-head-signed', size: head.size },
            `signed the ledger head at size ${head.size}`,
          );
        }
        signedSize = head.size;
        // A head signed before a restart is sent again only if no one cosigned it, so
        // that restarts do not pile up cosignatures of one head.
        const signatures = parseNote(head.checkpoint);
        const cosigned = signatures.ok && signatures.value.signatures.length > 1;
        pending = existing !== undefined && cosigned ? [] : witnesses;
      }
      await cosign(timeoutMs ?? options.witnessTimeoutMs);
    } catch (error) {
      log.error(
        { event: 'ledger-head-failed', err: error },
        'could not sign or cosign the ledger head; will try again',
      );
    }
  };

  /** Ticks run one at a time, in order. */
  const enqueue = (timeoutMs?: number): Promise<void> => {
    running = running.then(() => step(timeoutMs));
    return running;
  };

  return {
    tick: () => enqueue(),
    start() {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        void enqueue();
      }, options.intervalMs ?? HEAD_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await enqueue(2_000);
    },
  };
}
