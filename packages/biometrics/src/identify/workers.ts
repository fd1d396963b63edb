import { typeScriptWorkerUrl } from '@vigil/core/worker';
import { parentPort, Worker } from 'node:worker_threads';
import { InvalidInputError } from '@vigil/core';

/**
 * The thread plumbing both identification pools share (pool.ts: one template per entry;
 * person-pool.ts: several fingers per person): start the workers, send a request to one
 * and await its answer by request number, stop them.
 */

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };

export class WorkerGroup<Task extends object> {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;

  constructor(script: URL, threads: number) {
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new InvalidInputError(`Cannot start ${threads} index threads.`, {
        hint: 'Give a whole number of threads between 1 and 64 (usually the number of cores).',
      });
    }
    const url = typeScriptWorkerUrl(script);
    for (let w = 0; w < threads; w++) {
      const worker = new Worker(url);
      worker.on('message', (r: WorkerResponse) => {
        const p = this.pending.get(r.id);
        if (p === undefined) return;
        this.pending.delete(r.id);
        if (r.ok) p.resolve(r.value);
        else p.reject(new Error(r.message));
      });
      worker.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends `task` to worker `w` (buffers in `transfer` move, not copy) and awaits its answer. */
  call(w: number, task: Task, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[w]!.postMessage({ ...task, id }, transfer);
    });
  }

  /** The same task to every worker at once; answers in worker order. */
  all(task: (w: number) => Task): Promise<unknown[]> {
    return Promise.all(this.workers.map((_, w) => this.call(w, task(w))));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The worker side: answers each request with `handle`'s value (its `transfer` buffers
 * moved), or with the message of what it threw.
 */
export function serveRequests(
  handle: (request: never) => { value: unknown; transfer?: ArrayBuffer[] },
): void {
  const port = parentPort;
  if (port === null) return;
  // The pool sends only requests of its own kind; `never` lets each worker's handler
  // name that kind without a cast here.
  port.on('message', (request: { readonly id: number }) => {
    let response: WorkerResponse;
    let transfer: ArrayBuffer[] = [];
    try {
      const out = handle(request as never);
      response = { id: request.id, ok: true, value: out.value };
      transfer = out.transfer ?? [];
    } catch (e) {
      response = { id: request.id, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(response, transfer);
  });
}
