import { Worker } from 'node:worker_threads';
import { typeScriptWorkerUrl } from '@vigil/core/worker';
import type { RenderRequest, RenderResponse } from './fingerprint-worker.ts';

/**
 * Renders the demo's synthetic fingerprint impressions on worker threads, so that growing
 * a master print (2 to 4 s of CPU each) never stalls the server's event loop. One queue
 * feeds every worker one job at a time; a scan asked for at the polling station jumps the
 * queue ahead of background enrolment, so the demo scanner answers in seconds even while
 * 200 voters are being enrolled.
 */

interface Job {
  readonly seed: number;
  readonly finger: number;
  readonly impressions: readonly number[];
  readonly resolve: (images: Uint8Array[]) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
  /** Fingers this worker rendered lately (it keeps their masters). */
  readonly recent: number[];
}

const RECENT = 8;

export class DemoFingerprintRenderer {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`the demo fingerprint renderer needs 1 or more threads, not ${threads}`);
    }
  }

  /**
   * PNG images of impressions `impressions` of synthetic finger `finger` drawn from
   * `seed`. `urgent` puts the job at the head of the queue (a scan someone waits for).
   */
  render(
    request: { seed: number; finger: number; impressions: readonly number[] },
    urgent = false,
  ): Promise<Uint8Array[]> {
    if (this.closed) return Promise.reject(new Error('the demo fingerprint renderer is closed'));
    return new Promise((resolve, reject) => {
      const job: Job = { ...request, resolve, reject };
      if (urgent) this.queue.unshift(job);
      else this.queue.push(job);
      this.dispatch();
    });
  }

  /** Stops the threads; jobs not finished are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('the demo fingerprint renderer was closed');
    for (const job of this.queue.splice(0)) job.reject(stopped);
    for (const slot of this.slots) slot.job?.reject(stopped);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let idle = this.slots.filter((s) => s.job === undefined);
      if (idle.length === 0 && this.slots.length < this.threads) {
        idle = [this.startWorker()];
      }
      if (idle.length === 0) return;
      const job = this.queue.shift()!;
      // A worker that rendered this finger lately still holds its master.
      const slot = idle.find((s) => s.recent.includes(job.finger)) ?? idle[0]!;
      this.send(slot, job);
    }
  }

  private send(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref();
    const request: RenderRequest = {
      id: this.nextId++,
      seed: job.seed,
      finger: job.finger,
      impressions: job.impressions,
    };
    slot.worker.postMessage(request);
  }

  private startWorker(): Slot {
    const worker = new Worker(
      typeScriptWorkerUrl(new URL('./fingerprint-worker.ts', import.meta.url)),
    );
    const slot: Slot = { worker, job: undefined, recent: [] };
    worker.on('message', (response: RenderResponse) => {
      const job = slot.job;
      slot.job = undefined;
      // An idle renderer must not keep a script (the CLI, a test) alive.
      worker.unref();
      if (job !== undefined) {
        slot.recent.unshift(job.finger);
        slot.recent.length = Math.min(slot.recent.length, RECENT);
        if (response.ok) job.resolve(response.images.map((i) => new Uint8Array(i)));
        else job.reject(new Error(response.message));
      }
      this.dispatch();
    });
    worker.on('error', (error) => {
      slot.job?.reject(error);
      slot.job = undefined;
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (!this.closed) this.dispatch();
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}
