import { typeScriptWorkerUrl } from '@vigil/core/worker';
import { Worker } from 'node:worker_threads';
import type { BallotCheckResult, CheckContext, DecryptedCheckResult } from './checks.ts';
import type { DecryptedTallyOrBallot, EncryptedBallotRecord } from './record.ts';

export type WorkerRequest =
  | {
      readonly id: number;
      readonly kind: 'ballot';
      readonly ctx: CheckContext;
      readonly ballot: EncryptedBallotRecord;
      readonly limits: ReadonlyMap<string, number>;
    }
  | {
      readonly id: number;
      readonly kind: 'decrypted';
      readonly ctx: CheckContext;
      readonly decrypted: DecryptedTallyOrBallot;
    };

export type WorkerResponse =
  | { readonly id: number; readonly kind: 'ballot'; readonly result: BallotCheckResult }
  | { readonly id: number; readonly kind: 'decrypted'; readonly result: DecryptedCheckResult }
  | { readonly id: number; readonly kind: 'error'; readonly message: string };

type Task = Omit<WorkerRequest, 'id'>;

/**
 * A small pool of worker threads for the verifier. Vigil runs TypeScript through tsx
 * with no build, so each worker is started with tsx's loader registered by a
 * small bootstrap, resolved from this file so it works from the CLI, from Vitest and from any folder.
 */
export class VerifierPool {
  private readonly workers: Worker[] = [];

  constructor(size: number) {
    const url = typeScriptWorkerUrl(new URL('./verify-worker.ts', import.meta.url));
    for (let i = 0; i < size; i++) {
      this.workers.push(new Worker(url));
    }
  }

  /** Runs the tasks over the workers, each worker taking the next task when it is free. */
  async run(tasks: readonly Task[]): Promise<WorkerResponse[]> {
    const results: WorkerResponse[] = new Array<WorkerResponse>(tasks.length);
    let next = 0;
    const drive = (worker: Worker): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const feed = (): void => {
          if (next >= tasks.length) {
            worker.off('message', onMessage);
            worker.off('error', onError);
            resolve();
            return;
          }
          const id = next++;
          const task = tasks[id];
          if (task === undefined) return;
          worker.postMessage({ ...task, id });
        };
        const onMessage = (response: WorkerResponse): void => {
          results[response.id] = response;
          feed();
        };
        const onError = (e: Error): void => {
          reject(e);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        feed();
      });
    await Promise.all(this.workers.map(drive));
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
