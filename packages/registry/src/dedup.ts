import {
  fuseFmrs,
  matchPrepared,
  prepareTemplate,
  scoreToFmr,
  type FingerprintTemplate,
  type PreparedTemplate,
} from '@vigil/biometrics';
import type { FingerPosition } from './types.ts';

/**
 * One-to-many de-duplication of enrolments. Every new enrolment is searched against the
 * fingers already enrolled; a voter whose fingers match well enough is a suspected
 * duplicate for an official to review (reviews.ts).
 *
 * Fingers are compared position with position (right index with right index): the
 * positions are recorded at capture, and comparing across positions would multiply the
 * comparisons (and the chance matches) by the number of fingers for no gain on honest
 * captures. A person who presents *other* fingers at a second enrolment is not caught by
 * any fingerprint search of two fingers; only ten-print enrolment closes that.
 */

export interface EnrolledFinger {
  readonly position: FingerPosition;
  readonly template: FingerprintTemplate;
}

export interface DuplicateCandidate {
  readonly voterId: string;
  /**
   * The fused evidence: the sum over the compared fingers of -log10(FMR of that finger's
   * score) (fusion module, Fisher's method). Higher is more alike; 3 per finger is the
   * 0.1% false-match point of one finger.
   */
  readonly score: number;
  /**
   * Chance that an impostor reaches this evidence over the same number of fingers
   * (`fuseFmrs`: p times (1 - ln p) for two fingers), from the calibrated score-to-FMR map.
   */
  readonly fusedFmr: number;
  /** The matcher's score of each compared finger. */
  readonly fingers: readonly { readonly position: FingerPosition; readonly score: number }[];
}

/**
 * The 1:N search behind enrolment. Small on purpose, so that a faster index (the 1:N
 * index of packages/biometrics/src/identify, a worker pool, a remote matcher) can stand
 * behind it:
 *
 * - `add` makes a voter's fingers searchable (called after the enrolment commits);
 * - `search` returns the best `limit` enrolled voters for the probe fingers, best first,
 *   scored as `DuplicateCandidate` (evidence and fused FMR over the positions compared).
 *   It applies no threshold: the enrolment decides what goes to review.
 *
 * Both may be asynchronous. An implementation must compare fingers of the same position
 * and score them with `fuseFingerScores`, so candidates mean the same whatever the index.
 */
export interface DuplicateSearch {
  add(voterId: string, fingers: readonly EnrolledFinger[]): Promise<void>;
  search(
    fingers: readonly EnrolledFinger[],
    limit?: number,
  ): Promise<readonly DuplicateCandidate[]>;
  /** How many voters are searchable. */
  readonly size: number;
}

/**
 * The review threshold: a candidate is queued when its fused FMR is at most 1e-7.
 *
 * Why: with N voters enrolled, an enrolment expects about N x (fused FMR threshold)
 * impostor candidates. At 1e-7 that is 0.01 false reviews per enrolment at N = 100,000
 * (one enrolment in a hundred needs an official's look) and 0.001 at N = 10,000, which a
 * registrar's office can absorb. A true duplicate clears it easily: two fingers each
 * scoring about 44 (1 in 30,000 each), or one finger at the fusion floor (score 65 and
 * above, FMR 1e-7) with the other scoring 16 or more. Genuine pairs of FVC2002 DB1 score
 * 150 to 900, DB3's 25 to 325 (measured while choosing this; see README). No single finger
 * alone can reach it (the fusion module floors each finger at FMR 1e-7), so one chance
 * high-scoring finger does not flag two strangers. Caveat, from the biometrics README: the
 * score-to-FMR map is measured down to 1e-3 and extrapolated beyond; on DB1 impostors
 * reach its 1e-4 point more often than it says, so the real false-review rate may be
 * several times higher.
 */
export const DEDUP_MAX_FUSED_FMR = 1e-7;

/** Fuses per-finger matcher scores into a candidate's evidence and fused FMR. */
export function fuseFingerScores(
  fingers: readonly { readonly position: FingerPosition; readonly score: number }[],
): { readonly score: number; readonly fusedFmr: number } {
  const fused = fuseFmrs(fingers.map((f) => scoreToFmr(f.score)));
  return { score: fused.evidence, fusedFmr: fused.fmr };
}

interface Gallery {
  readonly voterIds: string[];
  readonly templates: PreparedTemplate[];
}

/**
 * The reference implementation: every enrolled finger prepared once and kept in memory,
 * compared one by one with `matchPrepared` (about 14,500 comparisons per CPU second,
 * biometrics README), so a search costs N x fingers comparisons. Exact, and the
 * yardstick for a faster index.
 */
export function createInMemoryDuplicateSearch(): DuplicateSearch {
  const galleries = new Map<FingerPosition, Gallery>();
  const enrolled = new Set<string>();
  return {
    get size() {
      return enrolled.size;
    },
    add(voterId, fingers) {
      for (const f of fingers) {
        let g = galleries.get(f.position);
        if (g === undefined) {
          g = { voterIds: [], templates: [] };
          galleries.set(f.position, g);
        }
        g.voterIds.push(voterId);
        g.templates.push(prepareTemplate(f.template));
      }
      enrolled.add(voterId);
      return Promise.resolve();
    },
    search(fingers, limit = 10) {
      const perVoter = new Map<string, { position: FingerPosition; score: number }[]>();
      for (const f of fingers) {
        const g = galleries.get(f.position);
        if (g === undefined) continue;
        const probe = prepareTemplate(f.template);
        for (let i = 0; i < g.templates.length; i++) {
          const voterId = g.voterIds[i]!;
          const score = matchPrepared(probe, g.templates[i]!);
          let list = perVoter.get(voterId);
          if (list === undefined) {
            list = [];
            perVoter.set(voterId, list);
          }
          list.push({ position: f.position, score });
        }
      }
      const ranked: DuplicateCandidate[] = [];
      for (const [voterId, scores] of perVoter) {
        ranked.push({ voterId, ...fuseFingerScores(scores), fingers: scores });
      }
      ranked.sort((a, b) => b.score - a.score || (a.voterId < b.voterId ? -1 : 1));
      return Promise.resolve(ranked.slice(0, limit));
    },
  };
}
