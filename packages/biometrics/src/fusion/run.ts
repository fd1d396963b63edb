import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseImpressionName } from '../evaluate.ts';
import { extractTemplate } from '../fingerprint.ts';
import { matchPrepared, prepareTemplate, type PreparedTemplate } from '../match.ts';
import { scoreToFmr } from '../score.ts';
import { captureFace, type FaceTemplate } from '../face/capture.ts';
import { faceScore, faceScoreToFmr } from '../face/compare.ts';
import { listFaceFolder } from '../face/folder.ts';
import { chimericUsers, evaluateChimeric, type FusionEvaluation } from './chimeric.ts';

export interface FusionRunOptions {
  /**
   * Folder(s) of fingerprint images named `<finger>_<impression>` (FVC layout). With
   * several folders, fingers of different folders are different fingers.
   */
  readonly fingerprints: string | readonly string[];
  /** Folder of face identity subfolders (LFW layout). */
  readonly faces: string;
  /** Resolution of the fingerprint images (default 500 dpi). */
  readonly dpi?: number;
}

/**
 * Reads both folders, extracts every fingerprint and captures every face, forms chimeric
 * users (finger k with face identity k, sample j with sample j) and evaluates each
 * modality and their fusion. Uses only the engines' public functions: `extractTemplate`,
 * `matchPrepared` and `scoreToFmr` for fingerprints; `captureFace`, `faceScore` and
 * `faceScoreToFmr` for faces.
 */
export async function runFusionEvaluation(options: FusionRunOptions): Promise<FusionEvaluation> {
  const dpi = options.dpi ?? 500;
  const fingers = new Map<string, Map<number, PreparedTemplate | undefined>>();
  const folders =
    typeof options.fingerprints === 'string' ? [options.fingerprints] : options.fingerprints;
  for (const [k, folder] of folders.entries()) {
    for (const name of (await readdir(folder)).sort()) {
      const imp = parseImpressionName(name);
      if (imp === undefined) continue;
      const finger = folders.length === 1 ? imp.finger : `${k + 1}-${imp.finger}`;
      const t = extractTemplate(await readFile(join(folder, name)), { dpi });
      const byImpression = fingers.get(finger) ?? new Map<number, PreparedTemplate | undefined>();
      byImpression.set(imp.impression, t.ok ? prepareTemplate(t.value) : undefined);
      fingers.set(finger, byImpression);
    }
  }
  const faceIds = await listFaceFolder(options.faces);
  const users = chimericUsers(
    [...fingers.keys()],
    faceIds.map((f) => f.identity),
  );
  const samples: { user: string; index: number }[] = [];
  const fingerT: (PreparedTemplate | undefined)[] = [];
  const faceT: (FaceTemplate | undefined)[] = [];
  for (const u of users) {
    const impressions = fingers.get(u.finger)!;
    const files = faceIds.find((f) => f.identity === u.face)!.files;
    const order = [...impressions.keys()].sort((a, b) => a - b);
    const n = Math.min(order.length, files.length);
    for (let j = 0; j < n; j++) {
      const c = await captureFace(await readFile(files[j]!));
      samples.push({ user: u.user, index: j + 1 });
      fingerT.push(impressions.get(order[j]!));
      faceT.push(c.ok ? c.value.template : undefined);
    }
  }
  return evaluateChimeric(
    samples,
    (a, b) => {
      const ta = fingerT[a];
      const tb = fingerT[b];
      return ta === undefined || tb === undefined ? 1 : scoreToFmr(matchPrepared(ta, tb));
    },
    (a, b) => {
      const ta = faceT[a];
      const tb = faceT[b];
      return ta === undefined || tb === undefined ? 1 : faceScoreToFmr(faceScore(ta, tb));
    },
  );
}
