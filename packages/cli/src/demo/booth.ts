import { seededRandom } from '@vigil/core';
import { mixSeed } from '@vigil/biometrics';
import type {
  BoothContest,
  BoothSessionOpened,
  CastView,
  ChallengeView,
  EncryptedBallotView,
} from '@vigil/server';
import type { DemoApi } from './api.ts';
import type { CheckedIn } from './polling.ts';

/**
 * The voting booth, through the booth API: the credential is spent to open a booth
 * session, the voter marks the ballot style's contests, the booth encrypts and shows the
 * confirmation code, and the voter casts it, or challenges it (sees it decrypted, checks
 * it, and marks a fresh one) before casting.
 */

export interface VotingFigures {
  readonly boothSessions: number;
  readonly ballotsCast: number;
  readonly ballotsChallenged: number;
  /** Challenged ballots whose decryption showed the voter's own marks. */
  readonly challengesChecked: number;
  /** Confirmation codes of the cast ballots (to look up on the bulletin board). */
  readonly confirmationCodes: readonly string[];
}

/**
 * The electorate's leanings: in each contest the options, in a seeded order, are chosen
 * with weights 1, 0.4, 0.16, … so that every contest has a clear leader (a landslide
 * keeps the demo's audit short; a close contest would need a larger sample, or a full
 * hand count, as BRAVO should).
 */
function weightsFor(seed: number, contestId: string, options: number): number[] {
  let h = 0;
  for (const ch of contestId) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  const random = seededRandom(mixSeed(seed, h));
  const order = Array.from({ length: options }, (_, i) => i);
  for (let i = options - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const weights = new Array<number>(options).fill(0);
  order.forEach((option, rank) => {
    weights[option] = 0.4 ** rank;
  });
  return weights;
}

/** Draws `count` distinct options by weight, in order of drawing. */
function draw(random: () => number, weights: readonly number[], count: number): number[] {
  const left = weights.map((w, i) => ({ w, i }));
  const chosen: number[] = [];
  while (chosen.length < count && left.length > 0) {
    const total = left.reduce((a, b) => a + b.w, 0);
    let r = random() * total;
    let k = 0;
    while (k < left.length - 1 && r >= left[k]!.w) r -= left[k++]!.w;
    chosen.push(left[k]!.i);
    left.splice(k, 1);
  }
  return chosen;
}

/** A valid set of marks for every contest: mostly full votes, some undervotes. */
export function markBallot(
  random: () => number,
  seed: number,
  contests: readonly BoothContest[],
): Record<string, string[]> {
  const marks: Record<string, string[]> = {};
  for (const c of contests) {
    const weights = weightsFor(seed, c.contestId, c.options.length);
    let count: number;
    switch (c.type) {
      case 'candidate': {
        const voteFor = c.voteFor ?? 1;
        count = random() < 0.92 ? voteFor : Math.floor(random() * voteFor);
        break;
      }
      case 'yesno':
        count = random() < 0.97 ? 1 : 0;
        break;
      case 'ranked-choice': {
        const ranks = Math.min(c.ranks ?? c.options.length, c.options.length);
        count = 1 + Math.floor(random() * ranks);
        break;
      }
    }
    marks[c.contestId] = draw(random, weights, count).map((i) => c.options[i]!.optionId);
  }
  return marks;
}

/**
 * The booth for one voter: opens the session with the credential, marks, encrypts, and
 * casts; when `challenge` is set, first challenges one encrypted ballot, checks that its
 * decryption shows the marks made, and marks again.
 */
export async function vote(
  api: DemoApi,
  voter: CheckedIn,
  options: { readonly seed: number; readonly challenge: boolean },
): Promise<{ confirmationCode: string; challenged: boolean; checked: boolean }> {
  const booth = { station: voter.place.boothToken };
  const c = voter.credential;
  const session = await api.post<BoothSessionOpened>(
    '/api/booth/sessions',
    {
      credential: {
        electionId: c.electionId,
        ballotStyleId: c.ballotStyleId,
        preparedMessage: Buffer.from(c.preparedMessage).toString('base64'),
        signature: Buffer.from(c.signature).toString('base64'),
      },
    },
    booth,
  );
  const random = seededRandom(mixSeed(options.seed, hashId(voter.record.voterId)));
  const encrypt = (selections: Record<string, string[]>) =>
    api.post<EncryptedBallotView>(
      `/api/booth/sessions/${encodeURIComponent(session.boothSessionId)}/ballots`,
      { selections },
      booth,
    );
  let checked = false;
  if (options.challenge) {
    const selections = markBallot(random, options.seed, session.contests);
    const marked = await encrypt(selections);
    const shown = await api.post<ChallengeView>(
      `/api/booth/ballots/${marked.confirmationCode}/challenge`,
      {},
      booth,
      200,
    );
    checked =
      shown.nonceCheck === 'matches' && sameMarks(session.contests, selections, shown.selections);
  }
  const marked = await encrypt(markBallot(random, options.seed, session.contests));
  await api.post<CastView>(`/api/booth/ballots/${marked.confirmationCode}/cast`, {}, booth, 200);
  return { confirmationCode: marked.confirmationCode, challenged: options.challenge, checked };
}

/**
 * Whether a challenged ballot's decryption shows the marks made: the same labels, in
 * rank order for a ranked contest and in any order otherwise (the booth lists a
 * vote-for-N contest's choices in ballot order, not in the order they were marked).
 */
function sameMarks(
  contests: readonly BoothContest[],
  marks: Readonly<Record<string, readonly string[]>>,
  shown: ChallengeView['selections'],
): boolean {
  return contests.every((contest) => {
    const labels = (marks[contest.contestId] ?? []).map(
      (id) => contest.options.find((o) => o.optionId === id)?.label ?? `unknown option ${id}`,
    );
    const seen = [...(shown.find((s) => s.contestId === contest.contestId)?.chosen ?? [])];
    if (contest.type !== 'ranked-choice') {
      labels.sort();
      seen.sort();
    }
    return labels.length === seen.length && labels.every((l, i) => l === seen[i]);
  });
}

function hashId(id: string): number {
  let h = 0;
  for (const ch of id) h = (Math.imul(h, 33) + ch.charCodeAt(0)) | 0;
  return h;
}
