import { parentPort } from 'node:worker_threads';
import { synthesizeFinger, type FingerSetOptions } from './set.ts';

/**
 * Worker thread of `synthesizeFingerprintSet` (pool.ts): makes the fingers it is given
 * and posts each one back as soon as it is done, its image bytes transferred, not copied.
 */
export interface SynthRequest {
  readonly seed: number;
  readonly fingers: readonly number[];
  readonly options: FingerSetOptions;
}

parentPort?.on('message', (request: SynthRequest) => {
  try {
    for (const finger of request.fingers) {
      const made = synthesizeFinger(request.seed, finger, request.options);
      parentPort!.postMessage(
        { ok: true, finger: made },
        made.files.map((f) => f.bytes.buffer as ArrayBuffer),
      );
    }
    parentPort!.postMessage({ ok: true, done: true });
  } catch (e) {
    parentPort!.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
