import { errorRates, protocolPairs, type ErrorRates } from '../evaluate.ts';
import { fmrToEvidence, fuseFmrs } from './fuse.ts';

/**
 * Chimeric users, as multimodal evaluations do when no database holds both modalities
 * of the same people: user u is fingerprint finger u joined to face identity u, and
 * sample j of the user is impression j of the finger with image j of the face. This is
 * valid because a person's finger and face are independent for matching purposes.
 */
export interface ChimericSample {
  /** Chimeric user, e.g. `101+Colin_Powell`. */
  readonly user: string;
  /** Sample number within the user, 1-based. */
  readonly index: number;
}

/** Pairs fingers and face identities in their sorted order, as many as both have. */
export function chimericUsers(
  fingers: readonly string[],
  faces: readonly string[],
): { finger: string; face: string; user: string }[] {
  const f = [...fingers].sort();
  const g = [...faces].sort();
  const n = Math.min(f.length, g.length);
  return Array.from({ length: n }, (_, k) => ({
    finger: f[k]!,
    face: g[k]!,
    user: `${f[k]!}+${g[k]!}`,
  }));
}

export interface FusionEvaluation {
  readonly fingerprint: ErrorRates;
  readonly face: ErrorRates;
  readonly fused: ErrorRates;
  readonly genuinePairs: number;
  readonly impostorPairs: number;
  readonly users: number;
}

/**
 * EER and FNMR of each modality alone and fused, over chimeric samples. `fingerFmr(a, b)`
 * and `faceFmr(a, b)` give each modality's calibrated FMR for samples a and b (1 when a
 * sample failed to capture: no evidence). Genuine pairs are all pairs within a user,
 * impostor pairs all pairs across users. Each modality is ranked by its own evidence
 * (-log10 FMR, the same order as its raw score) and the fusion by the fused FMR.
 */
export function evaluateChimeric(
  samples: readonly ChimericSample[],
  fingerFmr: (a: number, b: number) => number,
  faceFmr: (a: number, b: number) => number,
): FusionEvaluation {
  const { genuine, impostor } = protocolPairs(
    samples.map((s) => ({ finger: s.user, impression: s.index })),
    'all',
  );
  const run = (pairs: [number, number][]) => {
    const finger: number[] = [];
    const face: number[] = [];
    const fused: number[] = [];
    for (const [a, b] of pairs) {
      const ff = fingerFmr(a, b);
      const fa = faceFmr(a, b);
      finger.push(fmrToEvidence(ff));
      face.push(fmrToEvidence(fa));
      fused.push(-Math.log10(Math.max(1e-300, fuseFmrs([ff, fa]).fmr)));
    }
    return { finger, face, fused };
  };
  const g = run(genuine);
  const i = run(impostor);
  return {
    fingerprint: errorRates(g.finger, i.finger),
    face: errorRates(g.face, i.face),
    fused: errorRates(g.fused, i.fused),
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    users: new Set(samples.map((s) => s.user)).size,
  };
}
