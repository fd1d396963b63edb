import { typeScriptWorkerUrl } from '@vigil/core/worker';
import { Worker } from 'node:worker_threads';
import {
  matchPrepared,
  prepareTemplate,
  type FingerprintTemplate,
  type PreparedTemplate,
} from '@vigil/biometrics';
import { InvalidInputError } from '@vigil/core';

/**
 * The 1:1 comparison of check-in, in this thread or on worker threads.
 *
 * A check-in's fingerprint work (preparing the probe and the voter's enrolled fingers,
 * then matching) is about a third of its CPU time, and the rest (the store, the ledger,
 * the blind signature) must stay on the thread that owns the database connection. With
 * 50 stations at once every check-in queues behind the others' CPU time on that one
 * thread, so `MatchPool` moves the fingerprint work to worker threads: the main thread
 * keeps the transactions moving while the workers match, and a second core is used.
 */

/** The best score of a probe against a voter's enrolled fingers. */
export interface FingerprintMatcher {
  /**
   * The highest `matchPrepared` score of `probe` against `enrolled`; it may stop at the
   * first finger reaching `threshold` (the decision is the same, see `matchThreshold`).
   */
  bestScore(
    probe: FingerprintTemplate,
    enrolled: readonly FingerprintTemplate[],
    threshold: number,
  ): Promise<number>;
}

/** The comparison itself, as both the pool's workers and the inline matcher run it. */
export function bestScore(
  probe: FingerprintTemplate | PreparedTemplate,
  enrolled: readonly FingerprintTemplate[],
  threshold: number,
): number {
  const prepared = 'edgeFrom' in probe ? probe : prepareTemplate(probe);
  let score = 0;
  for (const t of enrolled) {
    score = Math.max(score, matchPrepared(prepared, prepareTemplate(t)));
    if (score >= threshold) break;
  }
  return score;
}

/** Matches in the calling thread (the default: tests, the CLI, a station's own store). */
export const inlineMatcher: FingerprintMatcher = {
  bestScore: (probe, enrolled, threshold) => Promise.resolve(bestScore(probe, enrolled, threshold)),
};

/** What the pool sends a worker (match-worker.ts answers it). */
export interface MatchRequest {
  readonly id: number;
  readonly probe: FingerprintTemplate;
  readonly enrolled: readonly FingerprintTemplate[];
  readonly threshold: number;
}

export type MatchResponse =
  | { readonly ready: true }
  | { readonly id: number; readonly ok: true; readonly score: number }
  | { readonly id: number; readonly ok: false; readonly message: string };

interface Pending {
  readonly worker: number;
  readonly resolve: (score: number) => void;
  readonly reject: (e: Error) => void;
}

/**
 * A few worker threads for check-in's 1:1 matches. Each request goes to the worker with
 * the fewest in flight. Templates cross the thread boundary by structured clone: a few
 * hundred bytes of typed arrays per finger, with the orientation field the score uses.
 * A worker holds the process open only while it has work, so a pool nobody closes does
 * not keep a process alive; `close` ends the threads.
 *
 * @example
 *   const matcher = new MatchPool(2);
 *   await matcher.ready();
 *   const deps = { ...runtime.checkIn, matcher };
 *   await checkIn(deps, station, request);
 *   await matcher.close();
 */
export class MatchPool implements FingerprintMatcher {
  private readonly workers: Worker[] = [];
  private readonly inFlight: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly started: Promise<void>[] = [];
  private nextId = 0;
  private closed = false;

  constructor(threads = 2) {
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new InvalidInputError(`Cannot start ${threads} match threads.`, {
        hint: 'Give a whole number of threads between 1 and 64 (usually the number of cores).',
      });
    }
    const url = typeScriptWorkerUrl(new URL('./match-worker.ts', import.meta.url));
    for (let w = 0; w < threads; w++) {
      const worker = new Worker(url);
      worker.unref();
      this.started.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => {
            resolve();
          });
          worker.once('error', reject);
        }),
      );
      // A worker's replies are taken in the port's message loop, which Node runs until
      // that port is empty: a check-in continued right there would send new work, get
      // new replies and keep the loop going, starving the other workers' replies and
      // every timer for seconds. The reply is only noted there; the check-in continues
      // from setImmediate, once every port has been read.
      worker.on('message', (r: MatchResponse) => {
        if ('ready' in r) return;
        setImmediate(() => {
          this.settle(r);
        });
      });
      worker.on('error', (e) => {
        this.fail(w, e);
      });
      worker.on('exit', (code) => {
        if (!this.closed)
          this.fail(w, new Error(`a check-in match thread stopped (exit code ${code})`));
      });
      this.workers.push(worker);
      this.inFlight.push(0);
    }
  }

  /**
   * Resolves when every worker has loaded the matcher (a few hundred milliseconds after
   * the pool is made): a server awaits it at start, so the first check-ins do not wait.
   */
  async ready(): Promise<void> {
    await Promise.all(this.started);
  }

  get threads(): number {
    return this.workers.length;
  }

  bestScore(
    probe: FingerprintTemplate,
    enrolled: readonly FingerprintTemplate[],
    threshold: number,
  ): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the check-in match pool is closed'));
    let w = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.inFlight[i]! < this.inFlight[w]!) w = i;
    const id = this.nextId++;
    const request: MatchRequest = { id, probe, enrolled, threshold };
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { worker: w, resolve, reject });
      if (this.inFlight[w]!++ === 0) this.workers[w]!.ref();
      this.workers[w]!.postMessage(request);
    });
  }

  private done(w: number): void {
    const left = (this.inFlight[w] ?? 1) - 1;
    this.inFlight[w] = left;
    if (left === 0) this.workers[w]?.unref();
  }

  private settle(r: Exclude<MatchResponse, { ready: true }>): void {
    const p = this.pending.get(r.id);
    if (p === undefined) return;
    this.pending.delete(r.id);
    this.done(p.worker);
    if (r.ok) p.resolve(r.score);
    else p.reject(new Error(`a check-in match failed in its worker thread: ${r.message}`));
  }

  /** A worker that fails takes its requests with it: they reject, loudly. */
  private fail(w: number, e: Error): void {
    for (const [id, p] of this.pending) {
      if (p.worker !== w) continue;
      this.pending.delete(id);
      this.done(w);
      p.reject(e);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.pending.values()) p.reject(new Error('the check-in match pool closed'));
    this.pending.clear();
  }
}
