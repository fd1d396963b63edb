import { typeScriptWorkerUrl } from '@vigil/core/worker';
import { Worker } from 'node:worker_threads';
import { InvalidInputError } from '@vigil/core';
import { synthesizeFinger, type FingerSetOptions, type SyntheticFinger } from './set.ts';
import type { SynthRequest } from './worker.ts';

export interface FingerprintSetOptions extends FingerSetOptions {
  /** Fingers to make, numbered 1..fingers. */
  readonly fingers: number;
  readonly seed: number;
  /** Worker threads (default 1: in this thread). */
  readonly threads?: number;
}

type WorkerMessage =
  | { readonly ok: true; readonly finger: SyntheticFinger }
  | { readonly ok: true; readonly done: true }
  | { readonly ok: false; readonly message: string };

/**
 * Makes fingers 1..`fingers` of the database drawn from `seed`, calling `onFinger` for
 * each as it is done (in completion order, one call at a time). With several threads,
 * finger n goes to worker n mod threads; finger n is the same bytes whichever does it.
 *
 * @example
 *   await synthesizeFingerprintSet({ fingers: 10, impressions: 8, seed: 1, threads: 2 },
 *     async (f) => { for (const file of f.files) await writeFile(file.name, file.bytes); });
 */
export async function synthesizeFingerprintSet(
  options: FingerprintSetOptions,
  onFinger: (finger: SyntheticFinger) => Promise<void> | void,
): Promise<void> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new InvalidInputError(`Cannot start ${threads} generator threads.`, {
      hint: 'Give a whole number of threads between 1 and 64 (usually the number of cores).',
    });
  }
  const { fingers, seed } = options;
  if (threads === 1 || fingers < 2) {
    for (let f = 1; f <= fingers; f++) await onFinger(synthesizeFinger(seed, f, options));
    return;
  }
  const url = typeScriptWorkerUrl(new URL('./worker.ts', import.meta.url));
  const workers = Array.from({ length: Math.min(threads, fingers) }, () => new Worker(url));
  // Results are handed to onFinger one at a time, in arrival order; its first failure is
  // kept and thrown once the workers are stopped.
  let chain: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  try {
    await Promise.all(
      workers.map(
        (worker, w) =>
          new Promise<void>((resolve, reject) => {
            worker.on('message', (m: WorkerMessage) => {
              if (!m.ok) reject(new Error(m.message));
              else if ('done' in m) resolve();
              else {
                chain = chain
                  .then(() => (failure === undefined ? onFinger(m.finger) : undefined))
                  .catch((e: unknown) => {
                    failure ??= e instanceof Error ? e : new Error(String(e));
                  });
              }
            });
            worker.on('error', reject);
            const mine: number[] = [];
            for (let f = 1; f <= fingers; f++) if (f % workers.length === w) mine.push(f);
            const request: SynthRequest = { seed, fingers: mine, options };
            worker.postMessage(request);
          }),
      ),
    );
    await chain;
    if (failure !== undefined) throw failure;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
