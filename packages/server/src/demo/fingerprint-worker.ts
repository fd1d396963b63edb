import { parentPort } from 'node:worker_threads';
import {
  encodeGrayImage,
  mixSeed,
  renderImpression,
  synthesizeMasterFingerprint,
  type MasterFingerprint,
} from '@vigil/biometrics';

/**
 * Worker thread of the demo's fingerprint renderer (fingerprints.ts): grows a synthetic
 * finger's master print (2 to 4 s of CPU) and renders the impressions asked for as PNG,
 * exactly as @vigil/biometrics' `synthesizeFinger` numbers them (finger n of a seed draws
 * from `mixSeed(seed, n)`), so an impression is the same bytes whichever thread makes it.
 * The last few masters are kept: a poll worker scanning one finger again, or enrolment
 * asking for its second impression, does not grow the master again.
 */

export interface RenderRequest {
  readonly id: number;
  readonly seed: number;
  readonly finger: number;
  readonly impressions: readonly number[];
}

export type RenderResponse =
  | { readonly id: number; readonly ok: true; readonly images: readonly Uint8Array[] }
  | { readonly id: number; readonly ok: false; readonly message: string };

/** The demo's impressions: every one a plain placement (no FVC2002 exaggerated moves). */
export const DEMO_IMPRESSION_OPTIONS = { protocol: 'plain' } as const;

const KEPT_MASTERS = 8;
const masters = new Map<string, MasterFingerprint>();

function masterOf(seed: number, finger: number): MasterFingerprint {
  const key = `${seed}:${finger}`;
  let master = masters.get(key);
  if (master === undefined) {
    master = synthesizeMasterFingerprint(mixSeed(seed, finger));
    if (masters.size >= KEPT_MASTERS) masters.delete(masters.keys().next().value!);
  } else {
    masters.delete(key);
  }
  masters.set(key, master);
  return master;
}

parentPort?.on('message', (request: RenderRequest) => {
  try {
    const master = masterOf(request.seed, request.finger);
    const fingerSeed = mixSeed(request.seed, request.finger);
    const images = request.impressions.map((k) =>
      encodeGrayImage(
        renderImpression(master, fingerSeed, k, DEMO_IMPRESSION_OPTIONS).image,
        'png',
      ),
    );
    const response: RenderResponse = { id: request.id, ok: true, images };
    parentPort!.postMessage(
      response,
      images.map((i) => i.buffer as ArrayBuffer),
    );
  } catch (e) {
    const response: RenderResponse = {
      id: request.id,
      ok: false,
      message: e instanceof Error ? e.message : String(e),
    };
    parentPort!.postMessage(response);
  }
});
