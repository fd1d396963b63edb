import { lagrangeCoefficient, type GuardianSecret } from './ceremony.ts';
import { contestDataChallenge, type CheckContext } from './checks.ts';
import { xorKeystream, contestDataMac } from './encrypt.ts';
import { invP, modQ, mulP, powG, powKey, powP, randomQ } from './group.ts';
import { elP, hashH, tag } from './hash.ts';
import type {
  Ciphertext,
  DecryptedContestData,
  DecryptedSelection,
  DecryptedTallyOrBallot,
  EncryptedBallotRecord,
  EncryptedTallyRecord,
  HashedCiphertext,
  ManifestRecord,
  ProofPair,
} from './record.ts';

/** Homomorphic tally (spec 2.0 §3.5): per selection, the product of the CAST ballots' encryptions. */
export function aggregateBallots(
  manifest: ManifestRecord,
  ballots: readonly EncryptedBallotRecord[],
  tallyId: string,
  electionId: Uint8Array,
): EncryptedTallyRecord {
  const cast = ballots.filter((b) => b.state === 'CAST');
  const sums = new Map<string, Ciphertext>();
  for (const b of cast) {
    for (const c of b.contests) {
      for (const s of c.selections) {
        const key = `${c.contestId}/${s.selectionId}`;
        const acc = sums.get(key) ?? { pad: 1n, data: 1n };
        sums.set(key, {
          pad: mulP(acc.pad, s.ciphertext.pad),
          data: mulP(acc.data, s.ciphertext.data),
        });
      }
    }
  }
  return {
    tallyId,
    electionId,
    castBallotIds: cast.map((b) => b.ballotId),
    contests: manifest.contests.map((c) => ({
      contestId: c.contestId,
      selections: c.selections.map((s) => ({
        selectionId: s.selectionId,
        ciphertext: sums.get(`${c.contestId}/${s.selectionId}`) ?? { pad: 1n, data: 1n },
      })),
    })),
  };
}

function hashQ(h: Uint8Array): bigint {
  return modQ(BigInt(`0x${Buffer.from(h).toString('hex')}`));
}

/**
 * The present guardians' joint work on one value A (the pad of a ciphertext, or C0 of
 * contest data): each guardian ℓ publishes M_ℓ = A^{z_ℓ} and commitments a_ℓ = g^{u_ℓ},
 * b_ℓ = A^{u_ℓ}; the combiner forms M = Π M_ℓ^{w_ℓ} with Lagrange coefficients w_ℓ over
 * the present guardians, so any k of the n reconstruct A^s (spec 2.0 §3.6.2). The
 * proof's challenge c is then answered by v = Σ_ℓ (u_ℓ − c·w_ℓ·z_ℓ) (eq. 70-72).
 */
function jointDecryption(
  present: readonly GuardianSecret[],
  base: bigint,
  challengeFor: (m: bigint, a: bigint, b: bigint) => bigint,
): { m: bigint; proof: ProofPair } {
  const xs = present.map((g) => g.xCoordinate);
  const shares = present.map((g) => {
    const u = randomQ();
    return {
      w: lagrangeCoefficient(g.xCoordinate, xs),
      z: g.secretShare,
      u,
      mShare: powP(base, g.secretShare),
      a: powG(u),
      b: powP(base, u),
    };
  });
  let m = 1n;
  let a = 1n;
  let b = 1n;
  for (const s of shares) {
    m = mulP(m, powP(s.mShare, s.w));
    a = mulP(a, s.a);
    b = mulP(b, s.b);
  }
  const c = challengeFor(m, a, b);
  let v = 0n;
  for (const s of shares) v = modQ(v + s.u - c * s.w * s.z);
  return { m, proof: { challenge: c, response: v } };
}

/** Discrete log base K by stepping K^0, K^1, … up to `max` (tallies are small). */
function discreteLogK(jointKey: bigint, value: bigint, max: number): number | undefined {
  let acc = 1n;
  for (let t = 0; t <= max; t++) {
    if (acc === value) return t;
    acc = mulP(acc, jointKey);
  }
  return undefined;
}

/** Decrypts one selection ciphertext with a proof (spec 2.0 §3.6.3, challenge tag 0x30). */
export function decryptSelection(
  ctx: CheckContext,
  present: readonly GuardianSecret[],
  selectionId: string,
  ct: Ciphertext,
  maxValue: number,
): DecryptedSelection {
  const K = ctx.jointKey;
  // M = A^s is the partial-decryption product; T = B/M = K^t is egk's "b_over_m".
  const { m, proof } = jointDecryption(present, ct.pad, (mm, a, b) =>
    hashQ(
      hashH(
        ctx.extendedBaseHash,
        tag(0x30),
        elP(K),
        elP(ct.pad),
        elP(ct.data),
        elP(a),
        elP(b),
        elP(mm),
      ),
    ),
  );
  const t = mulP(ct.data, invP(m));
  const tally = discreteLogK(K, t, maxValue);
  if (tally === undefined)
    throw new Error(
      `selection ${selectionId}: tally is above ${maxValue}; the decryption is wrong`,
    );
  return { selectionId, tally, bOverM: powKey(K, BigInt(tally)), ciphertext: ct, proof };
}

/** Decrypts contest data for a challenged ballot with its proof (spec 2.0 §3.6.4, tag 0x31). */
export function decryptContestData(
  ctx: CheckContext,
  present: readonly GuardianSecret[],
  contestIndex: number,
  data: HashedCiphertext,
): { decrypted: DecryptedContestData; plaintext: unknown } {
  const { m: beta, proof } = jointDecryption(present, data.c0, (mm, a, b) =>
    hashQ(contestDataChallenge(ctx, data, a, b, mm)),
  );
  let plaintext: unknown = null;
  if (Buffer.from(contestDataMac(ctx, contestIndex, data.c0, beta, data.c1)).equals(data.c2)) {
    const bytes = xorKeystream(ctx, contestIndex, data.c0, beta, data.c1);
    const end = bytes.indexOf(0);
    try {
      plaintext = JSON.parse(bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8'));
    } catch {
      plaintext = null;
    }
  }
  return { decrypted: { encrypted: data, proof, beta }, plaintext };
}

/** Decrypts the encrypted tally with the present guardians (at least the quorum). */
export function decryptTally(
  ctx: CheckContext,
  present: readonly GuardianSecret[],
  encrypted: EncryptedTallyRecord,
): DecryptedTallyOrBallot {
  const max = encrypted.castBallotIds.length;
  return {
    file: 'tally.json',
    id: encrypted.tallyId,
    electionId: encrypted.electionId,
    contests: encrypted.contests.map((c) => ({
      contestId: c.contestId,
      selections: c.selections.map((s) =>
        decryptSelection(ctx, present, s.selectionId, s.ciphertext, max),
      ),
      contestData: undefined,
    })),
  };
}

/** Decrypts one challenged (spoiled) ballot, selections and contest data, with proofs. */
export function decryptChallengedBallot(
  ctx: CheckContext,
  present: readonly GuardianSecret[],
  ballot: EncryptedBallotRecord,
): { decrypted: DecryptedTallyOrBallot; contestData: Record<string, unknown> } {
  const contestData: Record<string, unknown> = {};
  const decrypted: DecryptedTallyOrBallot = {
    file: `challenged_ballots/dballot-${ballot.ballotId}.json`,
    id: ballot.ballotId,
    electionId: ballot.electionId,
    contests: ballot.contests.map((c) => {
      let data: DecryptedContestData | undefined;
      if (c.contestData !== undefined) {
        const d = decryptContestData(ctx, present, c.sequenceOrder, c.contestData);
        data = d.decrypted;
        contestData[c.contestId] = d.plaintext;
      }
      return {
        contestId: c.contestId,
        selections: c.selections.map((s) =>
          decryptSelection(ctx, present, s.selectionId, s.ciphertext, 1),
        ),
        contestData: data,
      };
    }),
  };
  return { decrypted, contestData };
}
