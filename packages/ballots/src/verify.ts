import { availableParallelism } from 'node:os';
import {
  checkDecrypted,
  checkEncryptedBallot,
  type BallotCheckResult,
  type CheckContext,
  type DecryptedCheckResult,
} from './checks.ts';
import { G, isValidResidue, mulP, powG, powP, P, Q, R } from './group.ts';
import { elP, hashH, tag, u32 } from './hash.ts';
import { electionBaseHash, extendedBaseHash, manifestHash, parameterBaseHash } from './params.ts';
import { VerifierPool } from './pool.ts';
import {
  contestsForStyle,
  inZq,
  loadElectionRecord,
  type Ciphertext,
  type DecryptedTallyOrBallot,
  type ElectionRecord,
  type EncryptedBallotRecord,
  type HashedCiphertext,
} from './record.ts';

/** The verification steps of ElectionGuard 2.0 (spec 2.0 §3, "Verification 1..14"). */
export const STEPS = [
  ['V1', 'parameters and base hashes (p, q, r, g; H_P, H_M, H_B)'],
  ['V2', 'guardian public keys: Schnorr proofs of the coefficient commitments'],
  ['V3', 'joint election public key K = Π K_i'],
  ['V4', 'extended base hash H_E = H(H_B; 0x12, K), and election ids'],
  ['V5', 'selection encryptions: group membership and 0/1 range proofs'],
  ['V6', 'contest selection limits: range proofs of the contest totals'],
  ['V7', 'confirmation codes: contest hashes, codes, uniqueness, chaining'],
  ['V8', 'ballot aggregation: encrypted tally = product of the cast ballots'],
  ['V9', 'tally decryption proofs and T = K^t'],
  ['V10', 'tally and ballot labels match the manifest'],
  ['V11', 'tally contest data decryptions'],
  ['V12', 'challenged ballot decryption proofs'],
  ['V13', 'challenged ballot plaintexts: 0/1 votes, limits, labels'],
  ['V14', 'challenged ballot contest data decryptions'],
] as const;

export type StepId = (typeof STEPS)[number][0];
export type StepStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface StepReport {
  readonly step: StepId;
  readonly title: string;
  readonly status: StepStatus;
  /** How many items (proofs, ballots, selections) the step checked. */
  readonly checked: number;
  readonly failures: readonly string[];
  readonly notes: readonly string[];
}

export interface VerificationReport {
  readonly dir: string;
  readonly ok: boolean;
  readonly steps: readonly StepReport[];
  readonly ballots: number;
  readonly workers: number;
  readonly millis: number;
  /** The proof-checking phase: its wall time and the summed time of its tasks (speed-up = cpu / wall). */
  readonly proofs: { readonly wallMillis: number; readonly cpuMillis: number };
}

export interface VerifyOptions {
  /** Worker threads for the proofs; 0 runs them on the calling thread. Default: the cores. */
  readonly workers?: number;
  /**
   * Check the expensive proofs (V5, V6, V9, V12) only for these ballots and, when
   * `decryptions` is false, skip the decryption proofs: for quick checks of a tampered
   * copy. Every other check still covers the whole record; the report notes the subset.
   */
  readonly only?: { readonly ballotIds: readonly string[]; readonly decryptions: boolean };
  /**
   * Fail V1 when H_M does not reproduce from the bytes of manifest.json. Off by default
   * only because egk's published records hash their input manifest, not the file they
   * publish (a warning then); Vigil verifies its own records with it on, and an authority
   * should too, since without it a change to a manifest field no other check reads (a
   * title, a party name) goes unnoticed.
   */
  readonly strictManifestHash?: boolean;
}

class StepBook {
  private readonly failures = new Map<StepId, string[]>();
  private readonly notes = new Map<StepId, string[]>();
  private readonly counts = new Map<StepId, number>();
  private readonly skipped = new Set<StepId>();
  private readonly warned = new Set<StepId>();

  fail(step: StepId, message: string): void {
    const list = this.failures.get(step) ?? [];
    list.push(message);
    this.failures.set(step, list);
  }

  note(step: StepId, message: string, level: 'info' | 'warn' | 'skip' = 'info'): void {
    const list = this.notes.get(step) ?? [];
    list.push(message);
    this.notes.set(step, list);
    if (level === 'warn') this.warned.add(step);
    if (level === 'skip') this.skipped.add(step);
  }

  count(step: StepId, n = 1): void {
    this.counts.set(step, (this.counts.get(step) ?? 0) + n);
  }

  reports(): StepReport[] {
    return STEPS.map(([step, title]) => {
      const failures = this.failures.get(step) ?? [];
      const status: StepStatus =
        failures.length > 0
          ? 'fail'
          : this.skipped.has(step)
            ? 'skip'
            : this.warned.has(step)
              ? 'warn'
              : 'pass';
      return {
        step,
        title,
        status,
        checked: this.counts.get(step) ?? 0,
        failures,
        notes: this.notes.get(step) ?? [],
      };
    });
  }
}

const LIMIT_MESSAGES = 25;

function cipherEquals(a: Ciphertext, b: Ciphertext): boolean {
  return a.pad === b.pad && a.data === b.data;
}

/**
 * Verifies an ElectionGuard 2.0 election record in egk's JSON layout, step by step. It uses
 * nothing from the code that writes records except the group arithmetic and the hash.
 * Never throws for a malformed record: every problem is a failure of the step it breaks.
 *
 * @example
 *   const report = await verifyRecord('/data/egk-chainedJson');
 *   if (!report.ok) console.log(report.steps.filter((s) => s.status === 'fail'));
 */
export async function verifyRecord(
  recordOrDir: string | ElectionRecord,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const started = performance.now();
  const record =
    typeof recordOrDir === 'string' ? await loadElectionRecord(recordOrDir) : recordOrDir;
  const book = new StepBook();
  const proofs = { wallMillis: 0, cpuMillis: 0 };
  for (const p of record.problems) book.fail(p.step as StepId, p.message);
  const workers = options.workers ?? Math.max(1, Math.min(availableParallelism(), 8));

  const { constants, manifest, config, initialized } = record;

  // V1: parameters (1.A-1.D) and the base hashes.
  if (constants !== undefined) {
    book.count('V1', 4);
    if (constants.largePrime !== P)
      book.fail('V1', 'large_prime is not the standard 4096-bit p (1.A)');
    if (constants.smallPrime !== Q) book.fail('V1', 'small_prime is not q = 2^256 - 189 (1.B)');
    if (constants.cofactor !== R) book.fail('V1', 'cofactor is not r = (p - 1)/q (1.C)');
    if (constants.generator !== G) book.fail('V1', 'generator is not the standard g (1.D)');
  }
  const hp = parameterBaseHash();
  let hb: Uint8Array | undefined;
  if (config !== undefined) {
    book.count('V1', 3);
    if (!hp.equals(config.parameterBaseHash))
      book.fail('V1', 'parameter_base_hash is not H_P (1.E)');
    if (config.quorum < 1 || config.quorum > config.numberOfGuardians) {
      book.fail(
        'V1',
        `quorum ${config.quorum} is not between 1 and number_of_guardians ${config.numberOfGuardians}`,
      );
    }
    if (manifest !== undefined) {
      const hm = manifestHash(hp, manifest.bytes);
      if (!hm.equals(config.manifestHash)) {
        // egk's sample records hash manifest bytes that are not the manifest.json they
        // publish (its own verifier skips this check), so unless the caller asks for the
        // strict check a mismatch is a warning; the manifest's content is still checked
        // against every ballot and tally (V6, V10).
        const message = 'manifest_hash does not reproduce from the bytes of manifest.json (H_M)';
        if (options.strictManifestHash === true) book.fail('V1', message);
        else book.note('V1', message, 'warn');
      }
    }
    const expectedHb = electionBaseHash(
      hp,
      config.manifestHash,
      config.numberOfGuardians,
      config.quorum,
    );
    if (!expectedHb.equals(config.electionBaseHash)) {
      book.fail(
        'V1',
        'election_base_hash is not H(H_P; 0x02, H_M, n, k): n, k or H_M were changed (1.F)',
      );
    }
    hb = config.electionBaseHash;
  }

  // V2: every coefficient commitment K_ij has a valid Schnorr proof (spec 2.0 eq. 11/12).
  let jointKey: bigint | undefined;
  if (initialized !== undefined) {
    const seen = new Set<number>();
    for (const g of initialized.guardians) {
      if (g.xCoordinate < 1 || seen.has(g.xCoordinate)) {
        book.fail(
          'V2',
          `guardian ${g.guardianId} has x_coordinate ${g.xCoordinate}, not a distinct positive index`,
        );
      }
      seen.add(g.xCoordinate);
      if (config !== undefined && g.coefficientProofs.length !== config.quorum) {
        book.fail(
          'V2',
          `guardian ${g.guardianId} has ${g.coefficientProofs.length} commitments, expected quorum ${config.quorum}`,
        );
      }
      g.coefficientProofs.forEach((proof, j) => {
        book.count('V2');
        const where = `guardian ${g.guardianId} coefficient ${j}`;
        if (!isValidResidue(proof.publicKey)) {
          book.fail('V2', `${where}: commitment is not in Z_p^r (2.A)`);
          return;
        }
        if (!inZq(proof.response) || !inZq(proof.challenge)) {
          book.fail('V2', `${where}: challenge or response not in Z_q (2.B)`);
          return;
        }
        const h = mulP(powG(proof.response), powP(proof.publicKey, proof.challenge));
        const c = hashH(hp, tag(0x10), u32(g.xCoordinate), u32(j), elP(proof.publicKey), elP(h));
        if (BigInt(`0x${c.toString('hex')}`) % Q !== proof.challenge) {
          book.fail('V2', `${where}: Schnorr proof challenge does not match (2.C)`);
        }
      });
    }
    if (config !== undefined && initialized.guardians.length !== config.numberOfGuardians) {
      book.fail(
        'V2',
        `${initialized.guardians.length} guardians in the record, number_of_guardians is ${config.numberOfGuardians}`,
      );
    }

    // V3: K = Π K_i0 and K in the group.
    book.count('V3');
    let product = 1n;
    for (const g of initialized.guardians) {
      const k0 = g.coefficientProofs[0];
      if (k0 === undefined) book.fail('V3', `guardian ${g.guardianId} has no public key`);
      else product = mulP(product, k0.publicKey);
    }
    if (product !== initialized.jointPublicKey) {
      book.fail('V3', 'joint_public_key is not the product of the guardian public keys (3.A)');
    }
    if (!isValidResidue(initialized.jointPublicKey) || initialized.jointPublicKey === 1n) {
      book.fail('V3', 'joint_public_key is not a valid element of Z_p^r (3.B)');
    } else {
      jointKey = initialized.jointPublicKey;
    }

    // V4: H_E = H(H_B; 0x12, K).
    if (hb !== undefined) {
      book.count('V4');
      if (!extendedBaseHash(hb, initialized.jointPublicKey).equals(initialized.extendedBaseHash)) {
        book.fail('V4', 'extended_base_hash is not H(H_B; 0x12, K) (4.A)');
      }
    }
  }

  const he = initialized?.extendedBaseHash;
  if (jointKey === undefined || he === undefined || manifest === undefined) {
    for (const s of ['V5', 'V6', 'V7', 'V8', 'V9', 'V10', 'V11', 'V12', 'V13', 'V14'] as const) {
      book.fail(s, 'cannot be checked: the joint key, H_E or the manifest is missing or invalid');
    }
    return finish(record, book, workers, started, proofs);
  }
  const ctx: CheckContext = { jointKey, extendedBaseHash: he };
  for (const item of [
    ...record.ballots,
    ...record.challengedBallots,
    ...(record.tally ? [record.tally] : []),
  ]) {
    if (!Buffer.from(item.electionId).equals(he)) {
      book.fail('V4', `${item.file}: election_id is not this election's H_E`);
    }
  }
  if (
    record.encryptedTally !== undefined &&
    !Buffer.from(record.encryptedTally.electionId).equals(he)
  ) {
    book.fail('V4', "encrypted_tally.json: election_id is not this election's H_E");
  }

  const limits = new Map(manifest.contests.map((c) => [c.contestId, c.votesAllowed]));

  // V5, V6, V7 (per ballot), V9 and V12 proofs: the expensive part, over worker threads.
  const only = options.only;
  const ballotTasks = record.ballots
    .filter((b) => only === undefined || only.ballotIds.includes(b.ballotId))
    .map((ballot) => ({ kind: 'ballot' as const, ctx, ballot, limits }));
  const decryptedItems: DecryptedTallyOrBallot[] =
    only !== undefined && !only.decryptions
      ? []
      : [...(record.tally ? [record.tally] : []), ...record.challengedBallots];
  if (only !== undefined) {
    book.note(
      'V5',
      `proofs checked for ${ballotTasks.length} of ${record.ballots.length} ballots only`,
    );
  }
  const decryptedTasks = decryptedItems.map((decrypted) => ({
    kind: 'decrypted' as const,
    ctx,
    decrypted,
  }));
  const ballotResults: BallotCheckResult[] = [];
  const decryptedResults: DecryptedCheckResult[] = [];
  const proofsStarted = performance.now();
  if (workers <= 0) {
    for (const t of ballotTasks) ballotResults.push(checkEncryptedBallot(ctx, t.ballot, limits));
    for (const t of decryptedTasks) decryptedResults.push(checkDecrypted(ctx, t.decrypted));
  } else {
    const pool = new VerifierPool(
      Math.min(workers, ballotTasks.length + decryptedTasks.length || 1),
    );
    try {
      // Ballots (the largest tasks) go first and the smaller decryption checks last, so both
      // workers stay busy to the end.
      const responses = await pool.run([...ballotTasks, ...decryptedTasks]);
      for (const r of responses) {
        if (r.kind === 'ballot') ballotResults.push(r.result);
        else if (r.kind === 'decrypted') decryptedResults.push(r.result);
        else book.fail('V5', `a verification worker failed: ${r.message}`);
      }
    } finally {
      await pool.close();
    }
  }
  proofs.wallMillis = performance.now() - proofsStarted;
  proofs.cpuMillis = [...ballotResults, ...decryptedResults].reduce((sum, r) => sum + r.millis, 0);
  for (const r of ballotResults) {
    book.count('V5', r.selections);
    book.count('V6', record.ballots.find((b) => b.ballotId === r.ballotId)?.contests.length ?? 0);
    book.count('V7');
    for (const s of ['V5', 'V6', 'V7'] as const) for (const f of r.failures[s]) book.fail(s, f);
  }
  for (const r of decryptedResults) {
    const isTally =
      record.tally !== undefined && decryptedItems[0] === record.tally && decryptedResults[0] === r;
    const step = isTally ? 'V9' : 'V12';
    const dataStep = isTally ? 'V11' : 'V14';
    book.count(step, r.selections);
    book.count(dataStep, r.contestData);
    for (const f of r.failures) book.fail(step, f);
    for (const f of r.contestDataFailures) book.fail(dataStep, f);
  }

  checkConfirmationCodes(record, ctx, book);
  checkLabels(record, book);
  const cast = checkAggregation(record, book);
  checkTally(record, cast, book);
  checkChallenged(record, limits, book);
  if (record.tally?.contests.every((c) => c.contestData === undefined)) {
    book.note('V11', 'the tally carries no contest data (as in egk records); nothing to check');
  }
  book.note(
    'V14',
    'the decryption proofs are checked; the decrypted write-ins/overvotes text is not re-derived from C1',
  );
  return finish(record, book, workers, started, proofs);
}

function finish(
  record: ElectionRecord,
  book: StepBook,
  workers: number,
  started: number,
  proofs: { wallMillis: number; cpuMillis: number },
): VerificationReport {
  const steps = book.reports().map((s) =>
    s.failures.length > LIMIT_MESSAGES
      ? {
          ...s,
          failures: [
            ...s.failures.slice(0, LIMIT_MESSAGES),
            `… and ${s.failures.length - LIMIT_MESSAGES} more`,
          ],
        }
      : s,
  );
  return {
    dir: record.dir,
    ok: steps.every((s) => s.status !== 'fail'),
    steps,
    ballots: record.ballots.length,
    workers,
    millis: Math.round(performance.now() - started),
    proofs: { wallMillis: Math.round(proofs.wallMillis), cpuMillis: Math.round(proofs.cpuMillis) },
  };
}

/** V7.C uniqueness and V7.D-G chaining (egk: baux_0 = H(H_E; 0x24, B_aux,0), then the previous code ∥ B_aux,0). */
function checkConfirmationCodes(record: ElectionRecord, ctx: CheckContext, book: StepBook): void {
  const byCode = new Map<string, string>();
  const byId = new Map<string, EncryptedBallotRecord>();
  for (const b of record.ballots) {
    const code = Buffer.from(b.confirmationCode).toString('hex');
    const other = byCode.get(code);
    if (other !== undefined)
      book.fail('V7', `ballots ${other} and ${b.ballotId} have the same confirmation code (7.C)`);
    byCode.set(code, b.ballotId);
    if (byId.has(b.ballotId)) book.fail('V7', `ballot id ${b.ballotId} appears twice`);
    byId.set(b.ballotId, b);
  }
  const config = record.config;
  if (!config?.chainConfirmationCodes) return;
  const devices = new Set(record.ballots.map((b) => b.device));
  const baux0 = config.baux0;
  const h0 = hashH(ctx.extendedBaseHash, tag(0x24), baux0);
  for (const device of devices) {
    const chain = record.chains.find((c) => c.device === device);
    if (chain === undefined) {
      book.fail('V7', `device ${device}: chaining is on but there is no ballot_chain.json (7.D)`);
      continue;
    }
    book.count('V7');
    if (!h0.equals(chain.baux0))
      book.fail('V7', `device ${device}: chain baux0 is not H(H_E; 0x24, B_aux,0) (7.D)`);
    const deviceBallots = record.ballots.filter((b) => b.device === device);
    for (const b of deviceBallots) {
      if (!chain.ballotIds.includes(b.ballotId))
        book.fail('V7', `ballot ${b.ballotId} is not in its device's chain (7.E)`);
    }
    let previous: Uint8Array | undefined;
    for (const id of chain.ballotIds) {
      const b = byId.get(id);
      if (b?.device !== device) {
        book.fail('V7', `device ${device}: chained ballot ${id} is missing from the record (7.E)`);
        previous = undefined;
        continue;
      }
      const expected = previous === undefined ? h0 : Buffer.concat([previous, baux0]);
      if (!expected.equals(b.codeBaux)) {
        book.fail(
          'V7',
          `ballot ${id}: code_baux does not chain from the previous ballot's confirmation code (7.F)`,
        );
      }
      previous = b.confirmationCode;
    }
    if (previous === undefined || !Buffer.from(previous).equals(chain.lastConfirmationCode)) {
      book.fail(
        'V7',
        `device ${device}: last_confirmation_code is not the code of the last chained ballot (7.G)`,
      );
    }
    const closing = hashH(
      ctx.extendedBaseHash,
      tag(0x24),
      chain.lastConfirmationCode,
      baux0,
      Buffer.from('CLOSE'),
    );
    if (!closing.equals(chain.closingHash)) {
      book.fail(
        'V7',
        `device ${device}: closing_hash is not H(H_E; 0x24, last code, B_aux,0, "CLOSE") (7.G)`,
      );
    }
  }
}

/** V10 for ballots and the tally: every contest and selection is the manifest's, with its order. */
function checkLabels(record: ElectionRecord, book: StepBook): void {
  const manifest = record.manifest;
  if (manifest === undefined) return;
  const contests = new Map(manifest.contests.map((c) => [c.contestId, c]));
  const check = (
    where: string,
    expectedContests: readonly { contestId: string }[],
    items: readonly {
      contestId: string;
      sequenceOrder?: number;
      selections: readonly { selectionId: string; sequenceOrder?: number }[];
    }[],
  ): void => {
    book.count('V10');
    const seen = new Set<string>();
    for (const c of items) {
      const m = contests.get(c.contestId);
      if (m === undefined) {
        book.fail('V10', `${where}: contest ${c.contestId} is not in the manifest`);
        continue;
      }
      seen.add(c.contestId);
      if (c.sequenceOrder !== undefined && c.sequenceOrder !== m.sequenceOrder) {
        book.fail(
          'V10',
          `${where}: contest ${c.contestId} has sequence_order ${c.sequenceOrder}, the manifest says ${m.sequenceOrder}`,
        );
      }
      const ids = c.selections.map((s) => s.selectionId).join(',');
      const expected = m.selections.map((s) => s.selectionId).join(',');
      if (ids !== expected) {
        book.fail(
          'V10',
          `${where}: contest ${c.contestId} selections [${ids}] differ from the manifest's [${expected}]`,
        );
      }
    }
    for (const { contestId } of expectedContests) {
      if (!seen.has(contestId))
        book.fail('V10', `${where}: manifest contest ${contestId} is missing`);
    }
  };
  for (const b of record.ballots) {
    const styleContests = contestsForStyle(manifest, b.ballotStyleId);
    if (styleContests === undefined) {
      book.fail('V10', `${b.file}: ballot style ${b.ballotStyleId} is not in the manifest`);
      continue;
    }
    check(b.file, styleContests, b.contests);
  }
  if (record.encryptedTally !== undefined)
    check('encrypted_tally.json', manifest.contests, record.encryptedTally.contests);
  if (record.tally !== undefined) check('tally.json', manifest.contests, record.tally.contests);
}

/** V8: the encrypted tally is the product of exactly the CAST ballots (spec 2.0 eq. 64). */
function checkAggregation(
  record: ElectionRecord,
  book: StepBook,
): Map<string, Ciphertext> | undefined {
  const tally = record.encryptedTally;
  const castBallots = record.ballots.filter((b) => b.state === 'CAST');
  for (const b of record.ballots) {
    if (b.state !== 'CAST' && b.state !== 'SPOILED')
      book.fail('V8', `ballot ${b.ballotId} has state ${b.state}, neither CAST nor SPOILED`);
  }
  if (tally === undefined) {
    if (record.tally !== undefined)
      book.fail('V8', 'tally.json exists but encrypted_tally.json is missing');
    else book.note('V8', 'no encrypted tally in the record (election not tallied yet)', 'skip');
    return undefined;
  }
  const listed = new Set(tally.castBallotIds);
  const castIds = new Set(castBallots.map((b) => b.ballotId));
  for (const id of listed)
    if (!castIds.has(id))
      book.fail('V8', `cast_ballot_ids lists ${id}, which is not a CAST ballot in the record`);
  for (const id of castIds)
    if (!listed.has(id)) book.fail('V8', `CAST ballot ${id} is missing from cast_ballot_ids`);
  if (listed.size !== tally.castBallotIds.length) book.fail('V8', 'cast_ballot_ids has duplicates');
  const sums = new Map<string, Ciphertext>();
  for (const b of castBallots) {
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
  for (const c of tally.contests) {
    for (const s of c.selections) {
      book.count('V8');
      const key = `${c.contestId}/${s.selectionId}`;
      const expected = sums.get(key) ?? { pad: 1n, data: 1n };
      if (!cipherEquals(expected, s.ciphertext)) {
        book.fail(
          'V8',
          `${key}: encrypted tally is not the product of the cast ballots' encryptions (8.A)`,
        );
      }
    }
  }
  return sums;
}

/** V9 (consistency part): the decrypted tally decrypts exactly the encrypted tally. */
function checkTally(
  record: ElectionRecord,
  _sums: Map<string, Ciphertext> | undefined,
  book: StepBook,
): void {
  const tally = record.tally;
  const encrypted = record.encryptedTally;
  if (tally === undefined) {
    book.note('V9', 'no decrypted tally in the record', 'skip');
    return;
  }
  if (encrypted === undefined) return;
  const enc = new Map<string, Ciphertext>();
  for (const c of encrypted.contests)
    for (const s of c.selections) enc.set(`${c.contestId}/${s.selectionId}`, s.ciphertext);
  for (const c of tally.contests) {
    for (const s of c.selections) {
      const key = `${c.contestId}/${s.selectionId}`;
      const e = enc.get(key);
      if (e === undefined || !cipherEquals(e, s.ciphertext)) {
        book.fail('V9', `${key}: the decrypted tally's encryption is not the encrypted tally's`);
      }
    }
  }
}

/** V12 (consistency) and V13: each challenged ballot decrypts a SPOILED ballot into 0/1 votes within limits. */
function checkChallenged(
  record: ElectionRecord,
  limits: ReadonlyMap<string, number>,
  book: StepBook,
): void {
  const manifest = record.manifest;
  if (record.challengedBallots.length === 0) {
    book.note('V12', 'no challenged ballots decrypted in the record', 'skip');
    book.note('V13', 'no challenged ballots decrypted in the record', 'skip');
    return;
  }
  const byId = new Map(record.ballots.map((b) => [b.ballotId, b]));
  for (const d of record.challengedBallots) {
    book.count('V13');
    const b = byId.get(d.id);
    if (b === undefined) {
      book.fail('V12', `${d.file}: there is no encrypted ballot ${d.id}`);
    } else if (b.state === 'CAST') {
      book.fail('V12', `${d.file}: ballot ${d.id} was CAST and must never be decrypted alone`);
    }
    const seen = new Set<string>();
    for (const c of d.contests) {
      seen.add(c.contestId);
      const limit = limits.get(c.contestId);
      const mc = manifest?.contests.find((x) => x.contestId === c.contestId);
      if (limit === undefined || mc === undefined) {
        book.fail('V13', `${d.file}: contest ${c.contestId} is not in the manifest (13.C)`);
        continue;
      }
      const ec = b?.contests.find((x) => x.contestId === c.contestId);
      const dataOf = (h: HashedCiphertext | undefined): string =>
        h === undefined
          ? ''
          : `${h.c0.toString(16)}/${Buffer.from(h.c1).toString('hex')}/${Buffer.from(h.c2).toString('hex')}`;
      if (
        b !== undefined &&
        c.contestData !== undefined &&
        dataOf(c.contestData.encrypted) !== dataOf(ec?.contestData)
      ) {
        book.fail(
          'V14',
          `${d.file}: contest ${c.contestId} contest data is not the ballot's own encrypted contest data`,
        );
      }
      let votes = 0;
      for (const s of c.selections) {
        if (s.tally !== 0 && s.tally !== 1)
          book.fail(
            'V13',
            `${d.file}: ${c.contestId}/${s.selectionId} vote ${s.tally} is not 0 or 1 (13.A)`,
          );
        votes += s.tally;
        const es = ec?.selections.find((x) => x.selectionId === s.selectionId);
        if (b !== undefined && (es === undefined || !cipherEquals(es.ciphertext, s.ciphertext))) {
          book.fail(
            'V12',
            `${d.file}: ${c.contestId}/${s.selectionId} does not decrypt the ballot's own encryption`,
          );
        }
      }
      if (votes > limit)
        book.fail(
          'V13',
          `${d.file}: contest ${c.contestId} has ${votes} votes, the limit is ${limit} (13.B)`,
        );
      const ids = c.selections.map((s) => s.selectionId).join(',');
      if (ids !== mc.selections.map((s) => s.selectionId).join(',')) {
        book.fail(
          'V13',
          `${d.file}: contest ${c.contestId} selections differ from the manifest's (13.D)`,
        );
      }
    }
    const expected =
      manifest !== undefined && b !== undefined
        ? contestsForStyle(manifest, b.ballotStyleId)
        : undefined;
    for (const c of expected ?? []) {
      if (!seen.has(c.contestId))
        book.fail('V13', `${d.file}: manifest contest ${c.contestId} is missing (13.E)`);
    }
  }
}
