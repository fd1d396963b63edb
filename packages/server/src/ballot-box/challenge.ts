import {
  ballotNonce,
  confirmationCode,
  contestHash,
  modQ,
  powG,
  powKey,
  u32,
  type CheckContext,
  type EncryptedBallotRecord,
} from '@vigil/ballots';

/**
 * The voter's check of a challenged ballot (the Benaloh challenge of ElectionGuard 2.0
 * §3.3 and §3.4.4): the device reveals the ballot's primary nonce ξ_B; every selection's
 * nonce ξ = H(H_E; 0x20, ξ_B, contest, selection) follows from it, so anyone can tell
 * which value σ ∈ {0, 1} each (α, β) = (g^ξ, K^{σ+ξ}) encrypts (re-encrypting both and
 * comparing), and recompute the contest hashes and the confirmation code from the
 * ciphertexts. If all agree, the ballot the device committed to under that code holds
 * exactly those marks.
 */
export interface OpenedBallot {
  /** `matches` when every ciphertext re-encrypts from the nonce and the code recomputes. */
  readonly nonceCheck: 'matches' | 'mismatch';
  /** Manifest contest id → selection ids that encrypt 1. */
  readonly votes: ReadonlyMap<string, readonly string[]>;
  /** What did not match, for the log (empty when all matched). */
  readonly problems: readonly string[];
}

export function openWithNonce(
  ctx: CheckContext,
  ballot: EncryptedBallotRecord,
  primaryNonce: Uint8Array,
): OpenedBallot {
  const votes = new Map<string, string[]>();
  const problems: string[] = [];
  for (const contest of ballot.contests) {
    const marked: string[] = [];
    for (const s of contest.selections) {
      const xi = ballotNonce(ctx, primaryNonce, contest.sequenceOrder, u32(s.sequenceOrder));
      if (powG(xi) !== s.ciphertext.pad) {
        problems.push(`${contest.contestId}/${s.selectionId}: α is not g^ξ`);
        continue;
      }
      if (powKey(ctx.jointKey, modQ(xi + 1n)) === s.ciphertext.data) marked.push(s.selectionId);
      else if (powKey(ctx.jointKey, xi) !== s.ciphertext.data)
        problems.push(`${contest.contestId}/${s.selectionId}: β encrypts neither 0 nor 1`);
    }
    votes.set(contest.contestId, marked);
    const chi = contestHash(
      ctx,
      contest.sequenceOrder,
      contest.selections.map((s) => s.ciphertext),
    );
    if (!chi.equals(contest.contestHash))
      problems.push(`${contest.contestId}: contest hash differs`);
    if (contest.contestData !== undefined) {
      const dataNonce = ballotNonce(
        ctx,
        primaryNonce,
        contest.sequenceOrder,
        Buffer.from('contest data'),
      );
      if (powG(dataNonce) !== contest.contestData.c0)
        problems.push(`${contest.contestId}: contest data is not under this nonce`);
    }
  }
  const code = confirmationCode(
    ctx,
    ballot.contests.map((c) => c.contestHash),
    ballot.codeBaux,
  );
  if (!code.equals(ballot.confirmationCode))
    problems.push('the confirmation code does not recompute');
  return { nonceCheck: problems.length === 0 ? 'matches' : 'mismatch', votes, problems };
}
