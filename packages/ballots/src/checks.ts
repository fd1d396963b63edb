import { invP, isValidResidue, modQ, mulP, powG, powKey, powP, P, Q } from './group.ts';
import { elP, hashH, tag, u32 } from './hash.ts';
import type {
  Ciphertext,
  DecryptedContestData,
  DecryptedTallyOrBallot,
  HashedCiphertext,
  EncryptedBallotRecord,
  ProofPair,
} from './record.ts';
import { inZq } from './record.ts';

/**
 * The per-item checks of the verifier, pure functions of public data so that worker
 * threads can run them. Each returns the failures found (empty when all hold).
 */
export interface CheckContext {
  /** The joint election public key K. */
  readonly jointKey: bigint;
  /** The extended base hash H_E. */
  readonly extendedBaseHash: Uint8Array;
}

function hashToQ(h: Uint8Array): bigint {
  return modQ(BigInt(`0x${Buffer.from(h).toString('hex')}`));
}

/**
 * Verification 5 and 6 (spec 2.0 §3.5): a range proof that (α, β) encrypts a value in
 * 0..L. For each j, w_j = v_j − j·c_j, a_j = g^{v_j}·α^{c_j}, b_j = K^{w_j}·β^{c_j}, and
 * the challenges must sum to H(H_E; 0x21, K, α, β, a_0, b_0, …, a_L, b_L) mod q.
 */
export function checkRangeProof(
  ctx: CheckContext,
  ct: Ciphertext,
  proof: readonly ProofPair[],
  limit: number,
): string | undefined {
  if (proof.length !== limit + 1) {
    return `range proof has ${proof.length} parts, expected ${limit + 1} for a limit of ${limit}`;
  }
  const parts: Uint8Array[] = [];
  let sum = 0n;
  for (let j = 0; j < proof.length; j++) {
    const pj = proof[j];
    if (pj === undefined) return 'range proof part missing';
    if (!inZq(pj.challenge) || !inZq(pj.response)) return `range proof part ${j} is not in Z_q`;
    const w = modQ(pj.response - BigInt(j) * pj.challenge);
    const a = mulP(powG(pj.response), powP(ct.pad, pj.challenge));
    const b = mulP(powKey(ctx.jointKey, w), powP(ct.data, pj.challenge));
    parts.push(elP(a), elP(b));
    sum += pj.challenge;
  }
  const c = hashToQ(
    hashH(ctx.extendedBaseHash, tag(0x21), elP(ctx.jointKey), elP(ct.pad), elP(ct.data), ...parts),
  );
  if (c !== modQ(sum)) return 'range proof challenge does not match its hash';
  return undefined;
}

/** χ_l = H(H_E; 0x23, index, K, α_1, β_1, …, α_m, β_m) (spec 2.0 eq. 58). */
export function contestHash(
  ctx: CheckContext,
  sequenceOrder: number,
  ciphertexts: readonly Ciphertext[],
): Buffer {
  const parts: Uint8Array[] = [];
  for (const ct of ciphertexts) parts.push(elP(ct.pad), elP(ct.data));
  return hashH(ctx.extendedBaseHash, tag(0x23), u32(sequenceOrder), elP(ctx.jointKey), ...parts);
}

/** H(B) = H(H_E; 0x24, χ_1, …, χ_m, B_aux) (spec 2.0 eq. 59). */
export function confirmationCode(
  ctx: CheckContext,
  contestHashes: readonly Uint8Array[],
  codeBaux: Uint8Array,
): Buffer {
  return hashH(ctx.extendedBaseHash, tag(0x24), ...contestHashes, codeBaux);
}

export function sumCiphertexts(cts: readonly Ciphertext[]): Ciphertext {
  let pad = 1n;
  let data = 1n;
  for (const ct of cts) {
    pad = mulP(pad, ct.pad);
    data = mulP(data, ct.data);
  }
  return { pad, data };
}

export interface BallotCheckResult {
  readonly ballotId: string;
  /** Failures by step: V5 selections, V6 contest limits, V7 contest hashes and code. */
  readonly failures: Record<'V5' | 'V6' | 'V7', string[]>;
  readonly selections: number;
  /** Time this check took on its thread, for the parallel speed-up figure. */
  readonly millis: number;
}

/**
 * V5, V6 and the per-ballot part of V7 for one encrypted ballot. `limits` maps each
 * contest id of the manifest to its selection limit; a contest not in the manifest is
 * reported by V10 and its limit proof is checked against the ballot's own number.
 */
export function checkEncryptedBallot(
  ctx: CheckContext,
  ballot: EncryptedBallotRecord,
  limits: ReadonlyMap<string, number>,
): BallotCheckResult {
  const started = performance.now();
  const failures: BallotCheckResult['failures'] = { V5: [], V6: [], V7: [] };
  let selections = 0;
  const hashes: Uint8Array[] = [];
  for (const contest of ballot.contests) {
    const where = `ballot ${ballot.ballotId} contest ${contest.contestId}`;
    for (const s of contest.selections) {
      selections++;
      const here = `${where} selection ${s.selectionId}`;
      if (!isValidResidue(s.ciphertext.pad) || !isValidResidue(s.ciphertext.data)) {
        failures.V5.push(`${here}: ciphertext is not in the group Z_p^r (5.A)`);
        continue;
      }
      const problem = checkRangeProof(ctx, s.ciphertext, s.proof, 1);
      if (problem !== undefined) failures.V5.push(`${here}: ${problem} (5.B-5.D)`);
    }
    const limit = limits.get(contest.contestId) ?? contest.votesAllowed;
    if (contest.votesAllowed !== limit) {
      failures.V6.push(
        `${where}: votes_allowed ${contest.votesAllowed} differs from the manifest's ${limit}`,
      );
    }
    const total = sumCiphertexts(contest.selections.map((s) => s.ciphertext));
    const problem = checkRangeProof(ctx, total, contest.proof, limit);
    if (problem !== undefined) failures.V6.push(`${where}: contest limit ${problem} (6.A-6.C)`);
    const chi = contestHash(
      ctx,
      contest.sequenceOrder,
      contest.selections.map((s) => s.ciphertext),
    );
    if (!chi.equals(contest.contestHash))
      failures.V7.push(`${where}: contest hash does not match (7.A)`);
    hashes.push(contest.contestHash);
  }
  const code = confirmationCode(ctx, hashes, ballot.codeBaux);
  if (!code.equals(ballot.confirmationCode)) {
    failures.V7.push(
      `ballot ${ballot.ballotId}: confirmation code does not match H(H_E; 0x24, χ…, B_aux) (7.B)`,
    );
  }
  return { ballotId: ballot.ballotId, failures, selections, millis: performance.now() - started };
}

/**
 * V9 / V12 for one selection (spec 2.0 eq. 69 ff.): with M = B·T^{-1} and T = K^t,
 * a = g^v·K^c, b = A^v·M^c, and c must equal H(H_E; 0x30, K, A, B, a, b, M).
 */
export function checkDecryptedSelection(
  ctx: CheckContext,
  s: { tally: number; bOverM: bigint; ciphertext: Ciphertext; proof: ProofPair },
): string[] {
  const out: string[] = [];
  const { challenge: c, response: v } = s.proof;
  if (!inZq(c) || !inZq(v)) return ['proof challenge or response is not in Z_q (9.A)'];
  if (s.tally < 0) return [`tally ${s.tally} is negative`];
  const t = modQ(BigInt(s.tally));
  const kt = powKey(ctx.jointKey, t);
  let tInverse: bigint;
  if (kt === s.bOverM) {
    tInverse = powKey(ctx.jointKey, modQ(Q - t));
  } else {
    out.push(`T = K^t does not hold for the stated tally ${s.tally} (9.C)`);
    if (s.bOverM === 0n || s.bOverM >= P) return out;
    tInverse = invP(s.bOverM);
  }
  const { pad: A, data: B } = s.ciphertext;
  const m = mulP(B, tInverse);
  const a = mulP(powG(v), powKey(ctx.jointKey, c));
  const b = mulP(powP(A, v), powP(m, c));
  const expected = hashToQ(
    hashH(
      ctx.extendedBaseHash,
      tag(0x30),
      elP(ctx.jointKey),
      elP(A),
      elP(B),
      elP(a),
      elP(b),
      elP(m),
    ),
  );
  if (expected !== c) out.push('decryption proof challenge does not match its hash (9.B)');
  return out;
}

/**
 * V11 / V14 (spec 2.0 eq. 81): a = g^v·K^c, b = C0^v·β^c and c = H(H_E; 0x31, K, C0, C1,
 * C2, a, b, β). C1 enters the hash as its upper-case hex text, as egk hashes it (and
 * writes it), so egk's records reproduce.
 */
export function checkContestDataProof(
  ctx: CheckContext,
  cd: DecryptedContestData,
): string | undefined {
  const { challenge: c, response: v } = cd.proof;
  if (!inZq(c) || !inZq(v)) return 'contest data proof challenge or response is not in Z_q (14.A)';
  const a = mulP(powG(v), powKey(ctx.jointKey, c));
  const b = mulP(powP(cd.encrypted.c0, v), powP(cd.beta, c));
  const expected = hashToQ(contestDataChallenge(ctx, cd.encrypted, a, b, cd.beta));
  return expected === c
    ? undefined
    : 'contest data decryption proof challenge does not match its hash (14.B)';
}

/** H(H_E; 0x31, K, C0, hex(C1), C2, a, b, β): shared by the prover (tally.ts) and the verifier. */
export function contestDataChallenge(
  ctx: CheckContext,
  h: HashedCiphertext,
  a: bigint,
  b: bigint,
  beta: bigint,
): Buffer {
  return hashH(
    ctx.extendedBaseHash,
    tag(0x31),
    elP(ctx.jointKey),
    elP(h.c0),
    Buffer.from(h.c1).toString('hex').toUpperCase(),
    h.c2,
    elP(a),
    elP(b),
    elP(beta),
  );
}

export interface DecryptedCheckResult {
  readonly id: string;
  readonly failures: string[];
  /** V11/V14 failures: the contest data decryption proofs. */
  readonly contestDataFailures: string[];
  readonly contestData: number;
  readonly selections: number;
  readonly millis: number;
}

/** V9 (tally) or V12 (challenged ballot): every selection's decryption proof. */
export function checkDecrypted(ctx: CheckContext, d: DecryptedTallyOrBallot): DecryptedCheckResult {
  const started = performance.now();
  const failures: string[] = [];
  const contestDataFailures: string[] = [];
  let selections = 0;
  let contestData = 0;
  for (const contest of d.contests) {
    if (contest.contestData !== undefined) {
      contestData++;
      const problem = checkContestDataProof(ctx, contest.contestData);
      if (problem !== undefined)
        contestDataFailures.push(`${d.id} contest ${contest.contestId}: ${problem}`);
    }
    for (const s of contest.selections) {
      selections++;
      for (const f of checkDecryptedSelection(ctx, s)) {
        failures.push(`${d.id} contest ${contest.contestId} selection ${s.selectionId}: ${f}`);
      }
    }
  }
  return {
    id: d.id,
    failures,
    contestDataFailures,
    contestData,
    selections,
    millis: performance.now() - started,
  };
}
